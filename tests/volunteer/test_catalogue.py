"""Every user-facing string has a German translation (message ids are English)."""

from volunteer.platform.i18n_check import untranslated


def test_german_catalogues_translate_every_message():
    missing = untranslated()
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:10]}"
