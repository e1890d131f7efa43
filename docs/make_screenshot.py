"""Save the README screenshot (docs/dashboard.svg): the dashboard on the snapshot tests' scene.

Run from the checkout: `.venv/bin/python docs/make_screenshot.py`. The scene is the one the
snapshot tests check (tests/snapshots/dashboard_scene.py): synthetic clients, a frozen clock.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "snapshots"))

from dashboard_scene import scene_app  # noqa: E402


async def main() -> None:
    """Run the console headless at 120x36 and save what it shows."""
    with tempfile.TemporaryDirectory() as folder:
        app = scene_app(Path(folder) / "scene.db")
        async with app.run_test(size=(120, 36)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.save_screenshot(filename="dashboard.svg", path=str(HERE))
        app.services.store.close()
    print(f"saved {HERE / 'dashboard.svg'}")


if __name__ == "__main__":
    asyncio.run(main())
