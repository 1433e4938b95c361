import smtplib

from letters.emails import is_permanent


def test_an_address_the_mailer_cannot_encode_is_a_permanent_failure():
    # Django's SMTP backend raises ValueError for a non-ASCII local part.
    assert is_permanent(ValueError("Invalid address 'chloé@example.test'"))


def test_a_5xx_answer_is_permanent_and_a_4xx_is_not():
    assert is_permanent(smtplib.SMTPDataError(550, b"mailbox unavailable"))
    assert not is_permanent(smtplib.SMTPDataError(451, b"try again later"))
    assert not is_permanent(ConnectionRefusedError())
