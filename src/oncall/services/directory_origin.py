"""Where the directory measures distance from: the client's confirmed location, or less."""

from __future__ import annotations

from dataclasses import dataclass

from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound
from oncall.store import episodes as episode_rows
from oncall.store import people
from oncall.store import resources as resource_rows


@dataclass(frozen=True)
class DistanceOrigin:
    """A point to measure from (or none), and where it came from in a clinician's words."""

    position: tuple[float, float] | None
    """(lat, lon), or None when no distance can be given."""
    description: str
    """What the distances are measured from, or why there are none."""
    approximate: bool = False
    """True when the point is a zip code's centre or the home address, not where they are."""


NO_EPISODE = DistanceOrigin(
    None, "No distances: not opened from an episode with a client location."
)


def origin_for_episode(ctx: ServiceContext, episode_id: int | None) -> DistanceOrigin:
    """The best point for an episode: its location, its zip, the client's address, or none."""
    if episode_id is None:
        return NO_EPISODE
    with ctx.store.read() as conn:
        episode = episode_rows.episode_by_id(conn, episode_id)
        if episode is None:
            raise NotFound(f"There is no episode {episode_id}.")
        client = people.client_by_id(conn, episode.client_id)
        location = episode.location
        said = "confirmed location" if episode.location_confirmed_at else "reported location"
        if location is not None and location.lat is not None and location.lon is not None:
            return DistanceOrigin((location.lat, location.lon), f"From the client's {said}.")
        if location is not None and location.zip:
            centre = resource_rows.zip_centroid(conn, location.zip)
            if centre is not None:
                return DistanceOrigin(
                    centre,
                    f"From the centre of zip {location.zip} (the client's {said}); approximate.",
                    approximate=True,
                )
        if client is not None and client.lat is not None and client.lon is not None:
            return DistanceOrigin(
                (client.lat, client.lon),
                "From the client's home address on file, not a confirmed location.",
                approximate=True,
            )
        if client is not None and client.zip:
            centre = resource_rows.zip_centroid(conn, client.zip)
            if centre is not None:
                return DistanceOrigin(
                    centre,
                    f"From the centre of the client's home zip {client.zip}; approximate.",
                    approximate=True,
                )
    return DistanceOrigin(
        None, "No distances: no location is known for this client. Confirm it on the episode."
    )
