"""`open-diplomacy serve`: the Textual game in headless Chromium, over textual-serve.

Starts `open-diplomacy serve izumi` on a free port of 127.0.0.1, loads the page,
presses `1` and sees the next scene. The terminal draws on a canvas, so the
text is read from what xterm.js receives: the page's WebSocket is wrapped
(before the page's own script runs) to keep every frame. Chromium resolves no
host but 127.0.0.1, so nothing leaves this computer. Skips where Chromium,
chromedriver or selenium are missing; stops by itself within about a minute.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from game import load_story
from game.serve import served_command
from tests.conftest import ROOT

DEADLINE = 60.0  # seconds for the whole test
HOST = "127.0.0.1"

_CAPTURE = r"""
(() => {
  window.__od_frames = [];
  const dec = new TextDecoder("utf-8");
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener("message", (ev) => {
      if (typeof ev.data === "string") { window.__od_frames.push(ev.data); return; }
      const push = (buf) => window.__od_frames.push(dec.decode(new Uint8Array(buf), {stream: true}));
      if (ev.data instanceof ArrayBuffer) push(ev.data); else ev.data.arrayBuffer().then(push);
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();
"""

_ANSI = re.compile(r"\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78DEHMc]")


def _browser() -> tuple[str, str]:
    chrome = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    driver = shutil.which("chromedriver")
    if chrome is None or driver is None:
        pytest.skip("headless browser test: needs chromium and chromedriver (Debian: apt-get install chromium chromium-driver)")
    return chrome, driver


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _wait_for(predicate, until: float, what: str, seen=None):
    while time.monotonic() < until:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}" + (f"; the browser received: {seen()!r}" if seen else ""))


def _listening(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def test_served_command_forces_the_textual_app():
    cmd = served_command("/some story", "/tmp/s", 3)
    assert cmd.endswith("play '/some story' --saves /tmp/s --seed 3 --textual")


def test_serve_plays_nero_in_headless_chromium(tmp_path):
    chrome, driver_path = _browser()
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed (pip install -e '.[test]')")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.keys import Keys

    start = time.monotonic()
    until = start + DEADLINE
    story = load_story(str(ROOT / "scenes" / "izumi"))
    play = story.new_game(seed=1)
    first_title = play.scene.title
    play.choose(play.choices()[0].id)
    next_title = play.scene.title
    assert first_title and next_title and first_title != next_title

    port = _free_port()
    log = open(tmp_path / "serve.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "game", "serve", "izumi", "--host", HOST, "--port", str(port),
         "--saves", str(tmp_path / "saves"), "--seed", "1"],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)  # its own process group: the served game goes with it
    browser = None
    try:
        _wait_for(lambda: server.poll() is not None or _listening(port), until, "the server to listen")
        assert server.poll() is None, (tmp_path / "serve.log").read_text(errors="replace")

        opts = webdriver.ChromeOptions()
        opts.binary_location = chrome
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1100,800", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-default-apps",
                    "--disable-extensions", "--no-proxy-server",
                    f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {HOST}"):
            opts.add_argument(arg)
        os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager: never download anything
        browser = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
        browser.set_page_load_timeout(max(5, until - time.monotonic()))
        browser.set_script_timeout(10)
        browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _CAPTURE})
        browser.get(f"http://{HOST}:{port}/")

        def screen_text(since: int = 0) -> str:
            frames = browser.execute_script("return window.__od_frames || [];")
            return _ANSI.sub("", "".join(frames[since:]))

        _wait_for(lambda: first_title in screen_text(), until, f"the first scene ({first_title!r}) in the browser")
        before_png = browser.get_screenshot_as_png()
        mark = len(browser.execute_script("return window.__od_frames;"))
        keys = browser.find_element("css selector", ".xterm-helper-textarea")  # where xterm.js reads keys
        time.sleep(1.0)  # the app draws its first screen before it reads keys
        keys.send_keys("1")
        # The choice has a note: its box opens over the next scene; Escape closes it.
        got = _wait_for(lambda: next_title in screen_text(mark) or "Escape" in screen_text(mark), until,
                        "the next scene or its note after pressing 1", lambda: screen_text(mark)[-2000:])
        if next_title not in screen_text(mark):
            mark = len(browser.execute_script("return window.__od_frames;"))
            keys.send_keys(Keys.ESCAPE)
        _wait_for(lambda: next_title in screen_text(mark), until,
                  f"the next scene ({next_title!r}) after pressing 1", lambda: screen_text(mark)[-2000:])
        assert got
        time.sleep(0.3)
        assert browser.get_screenshot_as_png() != before_png
        assert time.monotonic() - start < DEADLINE + 5
    finally:
        if browser is not None:
            browser.quit()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=5)
        log.close()
