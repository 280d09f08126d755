"""Which passwords are refused: too short, or too easy to guess.

zxcvbn judges guessability from its English-centred lists, the user's own name and email, and
the Norwegian words in ``common_no.txt`` given to it as more of the user's inputs. It rated
"Sommer2024!!" strong, so a password that is one word of that list with only digits, symbols
or spaces around it is refused outright.
"""

from functools import cache
from pathlib import Path

from flask_babel import gettext as _

MIN_PASSWORD_LENGTH = 12
# zxcvbn refuses longer input with a ValueError (and its run time grows with length); a longer
# password is judged by its first 72 characters and hashed whole.
ZXCVBN_MAX = 72
WORDS_FILE = Path(__file__).with_name("common_no.txt")

# Digits and symbols people put on a word, and the letters they swap for look-alike digits.
_LEET = str.maketrans("0134@$5", "oieaass")
_ASCII = (str.maketrans({"æ": "ae", "ø": "o", "å": "a"}),
          str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"}))


@cache
def common_words() -> tuple[str, ...]:
    """The Norwegian list in file order (zxcvbn ranks earlier words as more likely)."""
    words = []
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        word = line.strip().lower()
        if word and not word.startswith("#") and word not in words:
            words.append(word)
    return tuple(words)


@cache
def _word_forms() -> frozenset[str]:
    """Each word as written and as typed without æ, ø and å."""
    return frozenset(form for word in common_words()
                     for form in (word, *(word.translate(table) for table in _ASCII)))


def is_decorated_common_word(password: str) -> bool:
    """One list word with only digits, symbols or spaces before and after it: "Sommer2024!!",
    "2025Bergen!!", "S0mmer2024"."""
    core = password.lower().strip("0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    if not core:
        return False
    return core in _word_forms() or core.translate(_LEET) in _word_forms()


def password_problem(password: str, user_inputs: list[str] = ()) -> str | None:
    """Why a password is refused, or None. Length first, then guessability (common passwords,
    Norwegian words with a year, keyboard patterns, the user's own name or email)."""
    from zxcvbn import zxcvbn  # with the first password set, not at the app's start

    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must be at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    inputs = [u for u in user_inputs if u] + list(common_words())
    if is_decorated_common_word(password) or \
            zxcvbn(password[:ZXCVBN_MAX], user_inputs=inputs)["score"] < 3:
        return _(
            "This password is too common or too easy to guess. Use several unrelated words, "
            "or mix in numbers and symbols."
        )
    return None
