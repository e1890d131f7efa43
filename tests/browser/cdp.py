"""A minimal Chrome DevTools Protocol client for headless Chromium (Debian's package)."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")
_RECORDER = """
(() => {
  window.__received = [];
  const Native = window.WebSocket;
  const decoder = new TextDecoder();
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    socket.addEventListener("message", (event) => {
      const data = event.data;
      if (typeof data === "string") { window.__received.push(data); }
      else if (data instanceof ArrayBuffer) {
        window.__received.push(decoder.decode(data, {stream: true}));
      } else if (data && data.text) { data.text().then((t) => window.__received.push(t)); }
    });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
})();
"""

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--window-size=1400,900",
]


def chromium_path() -> str | None:
    """The Chromium binary, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """One headless Chromium process with a page driven over the DevTools websocket."""

    def __init__(self) -> None:
        binary = chromium_path()
        assert binary, "chromium is not installed"
        # Chromium's helper processes may still be writing the profile as it is removed
        # ("Directory not empty"): a leftover temp folder must not fail a test.
        self._profile = tempfile.TemporaryDirectory(
            prefix="oncall-chromium-", ignore_cleanup_errors=True
        )
        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.05)
        self.port = int(port_file.read_text().split()[0])
        self._ids = itertools.count(1)

    async def __aenter__(self) -> Browser:
        self._session = aiohttp.ClientSession()
        async with self._session.get(f"http://127.0.0.1:{self.port}/json/list") as response:
            pages = [t for t in await response.json() if t["type"] == "page"]
        self._ws = await self._session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._ws.close()
        await self._session.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._profile.cleanup()

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call one DevTools method and return its result."""
        call_id = next(self._ids)
        await self._ws.send_str(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads((await self._ws.receive()).data)
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(message["error"])
                return dict(message.get("result", {}))

    async def record_websocket_text(self) -> None:
        """Keep every text the page receives over WebSockets in `window.__received`.

        textual-serve draws the terminal on a canvas, so the screen's words are not in
        the DOM; they are in the terminal output the page receives.
        """
        await self.send("Page.addScriptToEvaluateOnNewDocument", source=_RECORDER)

    async def text(self) -> str:
        """The terminal output received so far, escape sequences removed."""
        result = await self.send(
            "Runtime.evaluate", expression="(window.__received || []).join('')", returnByValue=True
        )
        return _ANSI.sub("", str(result["result"].get("value", "")))

    async def wait_for_text(self, needle: str, timeout: float = 40) -> str:
        """Poll the page until `needle` shows; returns the page text."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = await self.text()
            if needle in text:
                return text
            await asyncio.sleep(0.5)
        raise AssertionError(f"{needle!r} never appeared; the page shows: {text[:500]!r}")

    async def screenshot(self, path: Path) -> None:
        """Save a PNG of the page."""
        data = (await self.send("Page.captureScreenshot", format="png"))["data"]
        path.write_bytes(base64.b64decode(data))
