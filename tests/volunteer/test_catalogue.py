"""Every user-facing string has one German translation (message ids are English)."""

from volunteer.platform.i18n_check import disagreements, untranslated


def test_german_catalogues_translate_every_message():
    missing = untranslated()
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:10]}"


def test_no_message_id_has_two_german_translations():
    # The areas' catalogues are merged and the last one read wins: two translations of one id
    # would show one of them at random (as "Attended" was "War da" or "Teilgenommen").
    differing = disagreements()
    assert not differing, f"{len(differing)} message ids translated differently: {differing}"
