"""Fetching a resource directory: HSDS 3.0 API pages (/services?page=N) or a data package."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx

from oncall.domain.resource_record import (
    ResourceError,
    ResourceRecord,
    parse_hsds_tables,
    records_from_services_page,
)
from oncall.feeds.feed_pages import same_origin
from oncall.feeds.fetch import FetchFailed, RetryPolicy, describe_status, send_with_retries

Item = ResourceRecord | ResourceError


@dataclass(frozen=True)
class SourcePage:
    """One page of services as it arrived, or why it did not."""

    label: str
    """"page 3", or the data package's name."""
    items: tuple[Item, ...] = ()
    total_pages: int | None = None
    total_items: int | None = None
    error: str | None = None


def is_data_package(url: str) -> bool:
    """True for a datapackage.json URL (the tabular HSDS form)."""
    return urlsplit(url).path.rstrip("/").endswith("datapackage.json")


def services_url(base: str, page: int, per_page: int | None) -> str:
    """`BASE/services?page=N` (BASE may already end in /services, and may carry a query)."""
    parts = urlsplit(base)
    path = parts.path.rstrip("/")
    if not path.endswith("/services") and not path.endswith(".json"):
        path += "/services"
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("page", "per_page")]
    query.append(("page", str(page)))
    if per_page:
        query.append(("per_page", str(per_page)))
    return urlunsplit(parts._replace(path=path, query=urlencode(query)))


class DirectorySource:
    """Reads services page by page; a page that fails is reported, the others still come."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        url: str,
        *,
        headers: Mapping[str, str],
        retry: RetryPolicy,
        rng: random.Random,
        per_page: int | None = None,
        max_pages: int = 10_000,
        max_bytes: int | None = None,
    ) -> None:
        self.client = client
        self.url = url
        self.headers = dict(headers)
        self.retry = retry
        self.rng = rng
        self.per_page = per_page
        self.max_pages = max_pages
        self.max_bytes = max_bytes
        """Most read of one answer (None: no limit); see Settings.max_feed_response_bytes."""

    async def pages(self) -> AsyncIterator[SourcePage]:
        """Every page in order (a data package comes as one page)."""
        if is_data_package(self.url):
            yield await self._data_package()
            return
        total, number = 1, 1
        while number <= min(total, self.max_pages):
            page = await self._api_page(number)
            if page.total_pages is not None:
                total = max(page.total_pages, number)
            elif page.error is not None and number == 1:
                total = 1  # without the first page the number of pages is unknown
            yield page
            number += 1

    async def _get(self, url: str) -> bytes:
        response = await send_with_retries(
            self.client,
            "GET",
            url,
            headers=self.headers,
            policy=self.retry,
            rng=self.rng,
            max_bytes=self.max_bytes,
        )
        if response.status_code != 200:
            raise FetchFailed(f"the server answered {describe_status(response)}")
        return response.content

    async def _api_page(self, number: int) -> SourcePage:
        label = f"page {number}"
        try:
            body = await self._get(services_url(self.url, number, self.per_page))
            parsed = records_from_services_page(json.loads(body))
        except FetchFailed as error:
            return SourcePage(label, error=str(error))
        except (ValueError, RecursionError) as error:
            detail = error.message if isinstance(error, ResourceError) else "not valid JSON"
            return SourcePage(label, error=f"the page could not be read: {detail}")
        return SourcePage(label, parsed.results, parsed.total_pages, parsed.total_items)

    async def _data_package(self) -> SourcePage:
        """All tables of the package; if any table fails nothing is used (rows would be torn)."""
        label = "data package"
        try:
            package = json.loads(await self._get(self.url))
            resources = package.get("resources") if isinstance(package, dict) else None
            if not isinstance(resources, list):
                return SourcePage(label, error="datapackage.json has no 'resources' list")
            tables: dict[str, list[dict[str, str]]] = {}
            for resource in resources:
                path = resource.get("path") if isinstance(resource, dict) else None
                if not isinstance(path, str) or not path.endswith(".csv"):
                    continue
                table_url = urljoin(self.url, path)
                if not same_origin(self.url, table_url):
                    return SourcePage(label, error=f"the table {path} is on another server")
                text = (await self._get(table_url)).decode("utf-8-sig")
                tables[path.rsplit("/", 1)[-1]] = list(csv.DictReader(io.StringIO(text)))
        except FetchFailed as error:
            return SourcePage(label, error=f"{error}; nothing from the package was used")
        except (ValueError, RecursionError, csv.Error) as error:
            why = "not valid JSON" if isinstance(error, json.JSONDecodeError) else str(error)
            return SourcePage(label, error=f"the package could not be read: {why}")
        items = tuple(parse_hsds_tables(tables))
        return SourcePage(label, items, 1, len(items))
