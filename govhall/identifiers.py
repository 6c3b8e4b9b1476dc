"""Chinese identifiers (resident ID, USCC) checked with python-stdnum, and masking for display."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

# Hong Kong, Macau and Taiwan residence permits (GB 11643 ranges 81/82/83) carry the same layout.
_PERMIT_PREFIXES = ("81", "82", "83")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _ric_check_digit(body: str) -> str:
    total = sum(int(digit) * (2 ** (17 - index) % 11) for index, digit in enumerate(body))
    return "10X98765432"[total % 11]


def resident_id_with_check(body: str) -> str:
    """Append the GB 11643 check digit to a 17-digit body (for demo and test data)."""
    return body + _ric_check_digit(body)


def clean_resident_id(value: str) -> str:
    """Return the normalised 18-character resident ID, or raise ValidationError saying why."""
    number = (value or "").strip().upper().replace(" ", "")
    if (
        len(number) != 18
        or not number[:17].isdigit()
        or not (number[17].isdigit() or number[17] == "X")
    ):
        raise ValidationError(_("A resident ID number has 17 digits and a check digit (0-9 or X)."))
    if number.startswith(_PERMIT_PREFIXES):
        # stdnum refuses these ranges; the permit has the same check digit and birth date.
        if _ric_check_digit(number[:17]) != number[17]:
            raise ValidationError(_("The check digit of this ID number is wrong: please check it."))
        birth = _birth_date(number)
    else:
        try:
            number = ric.validate(number)
        except stdnum_errors.InvalidChecksum as exc:
            raise ValidationError(
                _("The check digit of this ID number is wrong: please check it.")
            ) from exc
        except stdnum_errors.ValidationError as exc:
            raise ValidationError(
                _("This ID number is not valid: %(reason)s") % {"reason": exc}
            ) from exc
        birth = _birth_date(number)
    if birth > timezone.localdate():
        raise ValidationError(_("The birth date in this ID number lies in the future."))
    return number


def _birth_date(number: str) -> dt.date:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationError(_("The birth date in this ID number does not exist.")) from exc


def clean_uscc(value: str) -> str:
    """Return the normalised unified social credit code, or raise ValidationError saying why."""
    code = (value or "").strip().upper().replace(" ", "")
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters."))
    if any(char not in _USCC_ALPHABET for char in code):
        raise ValidationError(
            _("A unified social credit code uses only 0-9 and A-Y without I, O, S, V and Z.")
        )
    # stdnum.cn.uscc refuses codes whose registration department is a letter (N, Y are legal),
    # so the check character is computed here over the whole GB 32100 alphabet.
    total = sum(
        _USCC_ALPHABET.index(char) * w for char, w in zip(code[:17], _USCC_WEIGHTS, strict=True)
    )
    check = _USCC_ALPHABET[(31 - total % 31) % 31]
    if code[17] != check:
        raise ValidationError(_("The check character of this unified social credit code is wrong."))
    if code[0].isdigit():
        try:
            uscc.validate(code)
        except stdnum_errors.ValidationError as exc:
            raise ValidationError(
                _("This unified social credit code is not valid: %(reason)s") % {"reason": exc}
            ) from exc
    return code


def uscc_with_check(body: str) -> str:
    """Append the GB 32100 check character to a 17-character body (for demo and test data)."""
    total = sum(_USCC_ALPHABET.index(char) * w for char, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_ALPHABET[(31 - total % 31) % 31]


def mask_name(name: str) -> str:
    """张三 -> 张*, 张小三 -> 张*三: the family name and the last character stay."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id(number: str) -> str:
    """6201**********1234: the first four and the last four characters stay."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_mobile(number: str) -> str:
    """138****5678."""
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
