"""The gazetteer: boroughs (Stadtbezirke), statistical districts and postcodes.

Loaded from ``volunteer/data/gazetteer`` so that another city needs only another data file.
"""

from sqlmodel import Field, SQLModel


class Borough(SQLModel, table=True):
    """A Stadtbezirk (Bochum has six)."""

    number: int = Field(primary_key=True)
    name: str = Field(max_length=80)
    lat: float
    lon: float


class District(SQLModel, table=True):
    """A statistical district (Bochum has thirty); the unit of the city's statistics."""

    number: int = Field(primary_key=True)
    name: str = Field(max_length=80, index=True)
    borough_number: int = Field(foreign_key="borough.number", index=True)
    lat: float
    lon: float
    area_km2: float = 0.0


class Postcode(SQLModel, table=True):
    """A delivery postcode with its centroid and the district most of its addresses lie in.

    That majority district (estimated from the city's points of interest, see the gazetteer's
    SOURCES.md) is where a resident giving this postcode most likely lives.
    """

    code: str = Field(primary_key=True, max_length=5)
    lat: float
    lon: float
    district_number: int = Field(foreign_key="district.number", index=True)
