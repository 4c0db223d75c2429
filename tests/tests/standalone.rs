//! 8. The standalone application, headless: with no display and no editor it processes audio on
//!    the dummy backend until SIGINT, then exits cleanly.

use codette_host_tests::standalone_path;
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
