//! The standalone application with a display: it opens the editor in a real X window (on a
//! virtual X server, Xvfb), and the window shows the editor drawn with the rack the API
//! loaded. A screenshot of the screen is saved (`target/editor-window.png`) and checked:
//! the window has the editor's default size and is not blank.
//!
//! Then it types into the window as a user would (xdotool's synthetic key presses through the
//! X server): a preset name, saved with a click, must come out as that preset's file.
//!
//! On a display of twice the density (`Xft.dpi: 192`, as a HiDPI desktop sets it) the window
//! has twice the pixels and egui draws into all of them: its details are not a doubled 1x image.
//!
//! Needs `Xvfb`, `xwd`, `xdotool` and `xrdb` (Debian packages xvfb, x11-apps, xdotool and
//! x11-xserver-utils; `scripts/deps.sh` installs them).

use codette_host_tests::{free_port, http, standalone_path, workspace_root};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The editor's default logical size (`plugin/src/editor/size.rs`); Xvfb's scale is 1.
const WINDOW: (usize, usize) = (1040, 680);

/// Kills and reaps a child when dropped, so that a failing test leaves nothing running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A virtual X server on a free display with a black root window of `size`; its display name.
fn xvfb(size: &str) -> (Running, String) {
    let mut child = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", size, "-nolisten", "tcp", "-br", "-noreset"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb runs (Debian package xvfb)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let display = format!(":{}", line.trim());
    assert!(line.trim().parse::<u32>().is_ok(), "Xvfb names its display: {line:?}");
    (Running(child), display)
}

/// The screen as RGB pixels.
struct Screen {
    width: usize,
    height: usize,
    pixels: Vec<[u8; 3]>,
}

impl Screen {
    fn at(&self, x: usize, y: usize) -> [u8; 3] {
        self.pixels[y * self.width + x]
    }

    /// The window: the box of what is not the black root window, as (left, top, width, height).
    fn window(&self) -> Option<(usize, usize, usize, usize)> {
        let drawn = (0..self.height)
            .flat_map(|y| (0..self.width).map(move |x| (x, y)))
            .filter(|&(x, y)| self.at(x, y) != [0, 0, 0]);
        let (mut left, mut top, mut right, mut bottom) = (usize::MAX, usize::MAX, 0, 0);
        for (x, y) in drawn {
            (left, top, right, bottom) = (left.min(x), top.min(y), right.max(x), bottom.max(y));
        }
        (left <= right).then(|| (left, top, right - left + 1, bottom - top + 1))
    }

    fn colours(&self, (left, top, width, height): (usize, usize, usize, usize)) -> usize {
        let mut colours: Vec<[u8; 3]> = (top..top + height)
            .flat_map(|y| (left..left + width).map(move |x| (x, y)))
            .map(|(x, y)| self.at(x, y))
            .collect();
        colours.sort_unstable();
        colours.dedup();
        colours.len()
    }

    fn save(&self, path: &std::path::Path) {
        let file = std::fs::File::create(path).unwrap();
        let mut encoder =
            png::Encoder::new(std::io::BufWriter::new(file), self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header().unwrap().write_image_data(self.pixels.as_flattened()).unwrap();
    }
}

/// The screen from `xwd` (its 24- or 32-bit ZPixmap in the server's byte order, red in the
/// high bits).
fn screenshot(display: &str) -> Screen {
    let out = Command::new("xwd").args(["-root", "-silent", "-display", display]).output().expect("xwd runs");
    assert!(out.status.success(), "xwd: {}", String::from_utf8_lossy(&out.stderr));
    let data = out.stdout;
    let field = |i: usize| u32::from_be_bytes(data[i * 4..i * 4 + 4].try_into().unwrap()) as usize;
    let (header, width, height, bits, bytes_per_line, colors) =
        (field(0), field(4), field(5), field(11), field(12), field(19));
    assert!(bits == 24 || bits == 32, "{bits} bits per pixel");
    let size = bits / 8;
    let little_endian = field(7) == 0;
    let pixels_at = header + colors * 12;
    let pixels = (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .map(|(x, y)| {
            let p = &data[pixels_at + y * bytes_per_line + x * size..][..size];
            if little_endian {
                [p[2], p[1], p[0]]
            } else {
                [p[size - 3], p[size - 2], p[size - 1]]
            }
        })
        .collect();
    Screen { width, height, pixels }
}

/// The standalone on `display` with a factory preset loaded through its API, once its window
/// has had time to draw; the user's presets go under `data`. Its log comes with the thread.
fn open_editor(display: &str, data: &std::path::Path) -> (Running, std::thread::JoinHandle<String>) {
    let port = free_port();
    let mut standalone = Command::new(standalone_path())
        .args(["--backend", "dummy"])
        .env("DISPLAY", display)
        .env("CODETTE_API_ADDR", format!("127.0.0.1:{port}"))
        .env("XDG_DATA_HOME", data)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the standalone binary starts");
    let stderr = standalone.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut text);
        text
    });
    let standalone = Running(standalone);
    let preset = std::fs::read_to_string(workspace_root().join("assets/presets/clean-vocal.json")).unwrap();
    let start = Instant::now();
    let mut loaded = None;
    // Until the server answers and the instance has registered (at activation).
    while start.elapsed() < Duration::from_secs(30) && loaded != Some(200) {
        std::thread::sleep(Duration::from_millis(200));
        loaded = http(port, "PUT", "/api/instances/1/state", &preset).map(|(status, _)| status);
    }
    assert_eq!(loaded, Some(200), "the API loads the preset");
    // The window repaints at 60 fps; give it time to map and draw.
    std::thread::sleep(Duration::from_secs(3));
    (standalone, log)
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("codette-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_standalone_opens_its_editor_in_an_x_window() {
    let (_xvfb, display) = xvfb("1280x800x24");
    let data = temp_dir("editor-window");
    let (standalone, log) = open_editor(&display, &data);
    let screen = screenshot(&display);
    // The Presets tab, its name field, typed text, Save (positions in the default-size window
    // at the screen's corner, which the checks below confirm).
    let xdotool = |args: &[&str]| {
        let status = Command::new("xdotool").args(args).env("DISPLAY", &display).status();
        assert!(status.expect("xdotool runs (Debian package xdotool)").success(), "xdotool {args:?}");
        std::thread::sleep(Duration::from_millis(500));
    };
    xdotool(&["mousemove", "348", "12", "click", "1"]);
    xdotool(&["mousemove", "700", "89", "click", "1"]);
    xdotool(&["type", "--delay", "20", "Typed in X"]);
    xdotool(&["mousemove", "545", "112", "click", "1"]);
    let saved = data.join("codetterack/presets/Typed in X.json");
    let saved_text = std::fs::read_to_string(&saved);
    drop(standalone);
    let _ = std::fs::remove_dir_all(&data);
    let path = workspace_root().join("target/editor-window.png");
    screen.save(&path);

    let log = log.join().unwrap();
    let window = screen.window().unwrap_or_else(|| panic!("nothing drawn; the standalone said:\n{log}"));
    assert_eq!(window, (0, 0, WINDOW.0, WINDOW.1), "the window at the corner, its size ({})", path.display());
    // Text, knobs and meters give many colours (antialiasing); a blank or one-colour window few.
    let colours = screen.colours(window);
    assert!(colours > 100, "{colours} distinct colours in the window ({})", path.display());
    assert!(!log.contains("panicked"), "{log}");
    let saved_text =
        saved_text.unwrap_or_else(|e| panic!("{}: {e}: the typed name did not arrive", saved.display()));
    assert!(
        saved_text.contains("\"name\": \"Typed in X\"") && saved_text.contains("highlow_pass"),
        "{saved_text}"
    );
}

#[test]
fn on_a_display_of_twice_the_density_the_editor_draws_every_pixel() {
    let (_xvfb, display) = xvfb("2400x1600x24");
    let mut xrdb = Command::new("xrdb")
        .args(["-merge", "-"])
        .env("DISPLAY", &display)
        .stdin(Stdio::piped())
        .spawn()
        .expect("xrdb runs (Debian package x11-xserver-utils)");
    xrdb.stdin.take().unwrap().write_all(b"Xft.dpi: 192\n").unwrap();
    assert!(xrdb.wait().unwrap().success());
    let data = temp_dir("editor-hidpi");
    let (standalone, log) = open_editor(&display, &data);
    let screen = screenshot(&display);
    drop(standalone);
    let _ = std::fs::remove_dir_all(&data);
    let path = workspace_root().join("target/editor-window-2x.png");
    screen.save(&path);
    let log = log.join().unwrap();
    let window = screen.window().unwrap_or_else(|| panic!("nothing drawn; the standalone said:\n{log}"));
    assert_eq!(window, (0, 0, 2 * WINDOW.0, 2 * WINDOW.1), "twice the pixels ({})", path.display());
    // A 1x image doubled would have every aligned 2×2 block of one colour; text and curves
    // drawn at 2x have many blocks of several.
    let mixed = (0..WINDOW.1)
        .flat_map(|y| (0..WINDOW.0).map(move |x| (2 * x, 2 * y)))
        .filter(|&(x, y)| {
            let p = screen.at(x, y);
            [(x + 1, y), (x, y + 1), (x + 1, y + 1)].iter().any(|&(a, b)| screen.at(a, b) != p)
        })
        .count();
    assert!(mixed > 5_000, "{mixed} 2×2 blocks with detail finer than a logical pixel ({})", path.display());
    assert!(!log.contains("panicked"), "{log}");
}
