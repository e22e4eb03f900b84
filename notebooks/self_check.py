"""Give feedback on a student's answer to a data exercise.

The expected value is always computed from the data in the notebook, never
typed in, so the check stays right when the data change.
"""

import numbers


def check_answer(answer, expected, hint):
    """Print whether `answer` equals `expected`; on a wrong answer, say what is off and give `hint`.

    Prints its verdict and returns nothing, so a notebook cell shows only the feedback.
    """
    if answer is None:
        print("No answer yet: replace None with your answer and run this cell again.")
        return
    if isinstance(expected, numbers.Real) and not isinstance(expected, bool):
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            print(f"Your answer is {answer!r}, a {type(answer).__name__}; this exercise wants a number. Hint: {hint}")
            return
        if answer == expected:
            print(f"Right: {answer}.")
            return
        direction = "too high" if answer > expected else "too low"
        print(f"Not quite: {answer} is {direction}. Hint: {hint}")
        return
    if isinstance(answer, str) and isinstance(expected, str):
        if answer.strip().upper() == expected.strip().upper():
            print(f"Right: {expected}.")
            return
        print(f"Not quite: {answer!r} is not the answer. Hint: {hint}")
        return
    print(f"Your answer is {answer!r}, a {type(answer).__name__}; this exercise wants a {type(expected).__name__}. Hint: {hint}")
