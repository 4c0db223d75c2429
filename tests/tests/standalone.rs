//! 8. The standalone application, headless: with no display and no editor it processes audio on
//!    the dummy backend until SIGINT, then exits cleanly.

use codette_host_tests::{free_port, http, standalone_path};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn(args: &[&str]) -> Child {
    Command::new(standalone_path())
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the standalone binary starts")
}

/// Waits up to `limit` for the child to exit; kills it (and fails) if it does not.
fn wait_with_limit(mut child: Child, limit: Duration, what: &str) -> (std::process::ExitStatus, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            let text =
                format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            return (status, text);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{what}: still running after {limit:?}; output:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn interrupt(child: &Child) {
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill runs");
    assert!(status.success(), "SIGINT delivered");
}

/// Runs for `seconds`, interrupts, and returns the output after checking a clean exit.
fn run_and_interrupt(args: &[&str], seconds: f64) -> String {
    let mut child = spawn(args);
    std::thread::sleep(Duration::from_secs_f64(seconds));
    if let Some(status) = child.try_wait().unwrap() {
        let out = child.wait_with_output().unwrap();
        panic!(
            "{args:?}: exited early with {status}; output:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    interrupt(&child);
    let (status, output) = wait_with_limit(child, Duration::from_secs(10), &format!("{args:?} after SIGINT"));
    assert_eq!(status.code(), Some(0), "{args:?}: exit status after SIGINT; output:\n{output}");
    for bad in ["panicked", "RUST_BACKTRACE", "memory allocation", "abort"] {
        assert!(!output.contains(bad), "{args:?}: {bad:?} in the output:\n{output}");
    }
    output
}

#[test]
fn runs_headless_on_the_dummy_backend_until_interrupted() {
    let output = run_and_interrupt(&["--backend", "dummy"], 2.0);
    // There is no editor yet: the wrapper says so and keeps processing until SIGINT.
    assert!(output.contains("No GUI available"), "says it runs without a GUI:\n{output}");
}

#[test]
fn runs_headless_with_mono_input_at_96k_and_small_periods() {
    run_and_interrupt(
        &["--backend", "dummy", "--audio-layout", "2", "--sample-rate", "96000", "--period-size", "64"],
        1.5,
    );
}

#[test]
fn lists_its_audio_layouts() {
    let child = spawn(&["--backend", "dummy", "--audio-layout", ""]);
    let (status, output) = wait_with_limit(child, Duration::from_secs(10), "layout listing");
    // nice-plug treats the empty layout as invalid: it lists the layouts and exits with 1.
    assert_eq!(status.code(), Some(1), "{output}");
    assert!(output.contains("2 input channels, 2 output channels"), "{output}");
    assert!(output.contains("1 input channel, 2 output channels"), "{output}");
}

#[test]
fn refuses_bad_arguments_without_panicking() {
    let child = spawn(&["--backend", "no-such-backend"]);
    let (status, output) = wait_with_limit(child, Duration::from_secs(10), "bad backend");
    assert!(!status.success(), "an unknown backend is an error:\n{output}");
    assert!(!output.contains("panicked"), "{output}");

    // No JACK server here: a clean error and a failure status.
    let child = spawn(&["--backend", "jack"]);
    let (status, output) = wait_with_limit(child, Duration::from_secs(10), "jack without a server");
    assert!(!status.success(), "JACK without a server fails:\n{output}");
    assert!(!output.contains("panicked"), "{output}");
}

/// The standalone serves the sidecar API while it runs, and lists itself as an instance.
#[test]
fn the_headless_standalone_serves_its_sidecar() {
    let port = free_port();
    let mut child = Command::new(standalone_path())
        .args(["--backend", "dummy"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("CODETTE_API_ADDR", format!("127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the standalone binary starts");
    let start = Instant::now();
    let mut health = None;
    while start.elapsed() < Duration::from_secs(20) && health.is_none() {
        std::thread::sleep(Duration::from_millis(100));
        health = http(port, "GET", "/health", "");
    }
    let instances = http(port, "GET", "/api/instances", "");
    let rack = http(port, "GET", "/api/instances/1", "");
    // The standalone has no host transport: the sidecar's drives it, and its audio thread
    // (the dummy backend's, in real time) moves it along once played.
    let played = http(port, "POST", "/transport/play", "{}");
    std::thread::sleep(Duration::from_millis(300));
    let transport = http(port, "GET", "/transport/status", "");
    interrupt(&child);
    let status = child.wait().unwrap();
    let (code, body) = health.expect("the sidecar answers /health");
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"instances\":1") || body.contains("\"instance_count\":1"), "{body}");
    let (code, body) = instances.expect("the sidecar answers /api/instances");
    assert_eq!(code, 200);
    assert!(body.contains("standalone"), "listed as a standalone instance: {body}");
    let (code, body) = rack.expect("the sidecar answers /api/instances/1");
    assert_eq!(code, 200, "{body}");
    assert!(
        body.contains("\"order\":[1,2,3,4,5,6,7,8]") && body.contains("\"s8_effect\""),
        "the rack: {body}"
    );
    let (code, body) = played.expect("the sidecar answers /transport/play");
    assert_eq!(code, 200, "{body}");
    let (code, body) = transport.expect("the sidecar answers /transport/status");
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"source\":\"sidecar\"") && body.contains("\"playing\":true"), "{body}");
    let position: f64 = body
        .split("\"time_seconds\":")
        .nth(1)
        .and_then(|t| t.split([',', '}']).next()?.parse().ok())
        .unwrap();
    assert!(position > 0.05, "the audio thread advanced the transport: {body}");
    assert!(status.success(), "clean exit after SIGINT: {status}");
}
