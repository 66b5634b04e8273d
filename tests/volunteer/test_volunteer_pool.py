"""The engine's volunteer pool, read as columns: every findable person with the same engine
values one person's own lookup gives, nobody else, and an index the engine ranks as before."""

from datetime import datetime

from sqlmodel import Session, select

from matching.model import Volunteer
from tests.factories import make_profile, seed_reference, set_profile
from volunteer.models import AgeGroup, Cause, VolunteerCause
from volunteer.services.discovery import engine
from volunteer.services.discovery.engine_values import volunteer_for


def test_the_pool_holds_every_findable_volunteer_with_their_own_engine_values(
    session: Session, make_user, now: datetime
) -> None:
    seed_reference(session)
    causes = session.exec(select(Cause)).all()
    people = []
    for i, skills in enumerate([("reading-aloud",), (), ("reading-aloud", "cooking")]):
        user = make_user()
        make_profile(session, user, now=now, skills=skills, postcode="44787")
        people.append(user)
        for cause in causes[: i + 1]:
            session.add(VolunteerCause(user_id=user.id, cause_id=cause.id))
    set_profile(session, people[1], languages=["de", "tr", "de"], capacity=0, radius_km=0, lat=None)
    set_profile(session, people[2], age_group=AgeGroup.MINOR, availability=5)
    hidden = make_user()
    make_profile(session, hidden, now=now, discoverable=False)
    session.commit()
    engine.invalidate()
    pool = engine.volunteer_pool(session)
    assert sorted(pool.user_ids) == sorted(u.id for u in people)
    for user in people:
        own = volunteer_for(session, user)
        assert isinstance(own, Volunteer)
        assert pool.index.items[pool.user_ids.index(user.id)] == own
    second = pool.index.items[pool.user_ids.index(people[1].id)]
    # Half a location is none; capacity 0 reads as 1, as profiles always did.
    assert (second.lat, second.lon, second.max_km, second.capacity) == (None, None, 0.0, 1)
    assert second.languages == {"de", "tr"} and second.skills == frozenset()
    third = pool.index.items[pool.user_ids.index(people[2].id)]
    assert not third.adult and third.availability == 5 and len(third.causes) == 3
    assert volunteer_for(session, hidden) is not None  # their own view still works
