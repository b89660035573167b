"""The local support directory: organisations and NHS routes by region, and a
postcode / town / district / location lookup that says which area a user is in."""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field




@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    region: str
    areas: tuple[str, ...]
    helps_with: tuple[str, ...]
    description: str
    contacts: tuple[dict, ...]
    languages: tuple[str, ...]
    source: dict
    last_verified: dt.date | None
    status: str = "verified"  # "verified" | "partial" (some details unconfirmed)
    kind: str = "organisation"  # "organisation" | "nhs" (an NHS route: NHS 111, an ICB)

    @property
    def national(self) -> bool:
        return any(a in ("England", "UK") for a in self.areas)


_POSTCODE = re.compile(r"\b([A-Z]{1,2})(\d[A-Z\d]?)\s*(\d[A-Z]{2})?\b")


@dataclass
class Directory:
    """Organisations by region and a postcode / town lookup."""

    regions: dict[str, str] = field(default_factory=dict)  # region id -> name
    organisations: list[Organisation] = field(default_factory=list)
    nhs_routes: list[Organisation] = field(default_factory=list)
    areas: dict[str, tuple[str, str]] = field(default_factory=dict)  # "LS" -> (region, local authority)
    districts: dict[str, tuple[str, str]] = field(default_factory=dict)  # "LS29" -> ...
    towns: dict[str, tuple[str, str]] = field(default_factory=dict)  # "leeds" -> ...
    nhs: dict[str, str] = field(default_factory=dict)  # local authority -> ICB
    centres: list[tuple[float, float, str, str, float]] = field(default_factory=list)  # lat, lon, region, LA, km

    def nearest(self, lat: float, lon: float) -> tuple[str, str] | None:
        """(region, local authority) of the nearest town centre within its region's radius.

        Used for a shared Telegram location; the coordinates themselves are never kept.
        """
        best = None
        for c_lat, c_lon, region, authority, radius in self.centres:
            # Equirectangular distance: plenty for matching within a region.
            x = math.radians(lon - c_lon) * math.cos(math.radians((lat + c_lat) / 2))
            km = 6371.0 * math.hypot(x, math.radians(lat - c_lat))
            if km <= radius and (best is None or km < best[0]):
                best = (km, region, authority)
        return (best[1], best[2]) if best else None

    def lookup_place(self, text: str) -> tuple[str, str] | None:
        """(region, local authority) for a postcode, postcode district or town name in ``text``."""
        if not text:
            return None
        upper = unicodedata.normalize("NFKC", text).upper()
        for m in _POSTCODE.finditer(upper):
            district = m.group(1) + m.group(2)
            if district in self.districts:
                return self.districts[district]
            if m.group(1) in self.areas:
                return self.areas[m.group(1)]
        lower = re.sub(r"[^\w\s'-]", " ", unicodedata.normalize("NFKC", text).casefold())
        words = lower.split()
        # longest town names first ("sutton in craven" before "sutton")
        for n in (3, 2, 1):
            for i in range(len(words) - n + 1):
                hit = self.towns.get(" ".join(words[i:i + n]))
                if hit:
                    return hit
        bare = upper.strip()
        if re.fullmatch(r"[A-Z]{1,2}", bare) and bare in self.areas:
            return self.areas[bare]
        return None

    def nhs_body(self, local_authority: str) -> str | None:
        return self.nhs.get(local_authority)

    def organisations_for(self, local_authority: str | None, topic: str | None = None, *,
                          include_national: bool = True) -> list[Organisation]:
        """Organisations serving ``local_authority`` (then national ones), optionally for one topic."""
        local, national = [], []
        for org in self.organisations:
            if topic and topic not in org.helps_with:
                continue
            if local_authority and local_authority in org.areas:
                local.append(org)
            elif include_national and org.national:
                national.append(org)
        return local + national

    def nhs_routes_for(self, local_authority: str | None, topic: str | None = None) -> list[Organisation]:
        """NHS routes (NHS 111, the local ICB, ...) for ``local_authority``: local ones first."""
        local, national = [], []
        for org in self.nhs_routes:
            if topic and topic not in org.helps_with:
                continue
            if local_authority and local_authority in org.areas:
                local.append(org)
            elif org.national:
                national.append(org)
        return local + national
