//! A plugin instance running as in a host: its engine on an audio thread of its own, fed with
//! noise in real-time-sized blocks, and registered with a real server on a loopback port.

use codette_dsp::modulation::Transport;
use codette_rack::engine::Engine;
use codette_rack::params::RackParams;
use codette_rack::remote::RemoteInstance;
use codette_server::{start, Instance, Registration, ServerConfig, ServerHandle};
use nice_plug::prelude::PluginApi;
use reqwest::blocking::{Client, Response};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const SR: f32 = 48_000.0;
const BLOCK: usize = 256;

pub struct Live {
    pub params: Arc<RackParams>,
    pub remote: Arc<RemoteInstance>,
    pub id: String,
    /// The host's transport: playing from sample 0 while set, counting its blocks.
    pub playing: Arc<AtomicBool>,
    server: ServerHandle,
    client: Client,
    audio: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
    _registration: Registration,
}

impl Live {
    /// An instance with its audio running.
    pub fn start() -> Self {
        let mut live = Self::idle();
        live.run_audio();
        live
    }

    /// An instance that is registered but not processing (a host that has not started audio).
    pub fn idle() -> Self {
        let params = Arc::new(RackParams::default());
        let remote = Arc::new(RemoteInstance::new(params.clone()));
        let server = start(ServerConfig::at("127.0.0.1:0".parse().unwrap())).expect("server starts");
        let registration = server.registry().register(remote.clone());
        let client = Client::builder().no_proxy().build().unwrap();
        Self {
            id: registration.id(),
            params,
            remote,
            playing: Arc::new(AtomicBool::new(false)),
            server,
            client,
            audio: None,
            _registration: registration,
        }
    }

    /// Activates the instance and runs its audio thread: blocks of [`noise`], each taking the
    /// API's changes and keeping its input first and publishing its snapshot after, as the
    /// plugin's `process` does.
    pub fn run_audio(&mut self) {
        let mut link = self.remote.activate(PluginApi::Clap, SR, BLOCK as u32);
        let params = self.params.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let running = stop.clone();
        let remote = self.remote.clone();
        let playing = self.playing.clone();
        let thread = std::thread::spawn(move || {
            let mut engine = Engine::new(&params, SR, true).unwrap();
            let mut transport = Transport { position_samples: Some(0), ..Transport::default() };
            let mut noise = noise(1);
            while !running.load(Ordering::Relaxed) {
                let mut block = [0.0f32; BLOCK];
                block.iter_mut().zip(&mut noise).for_each(|(x, n)| *x = n);
                let (mut l, mut r) = (block, block);
                transport.playing = playing.load(Ordering::Relaxed);
                link.apply();
                link.publish_input(&l, &r);
                engine.process(&params, &mut l, &mut r, None, &transport, &[]);
                link.publish(engine.telemetry(&transport), &l, &r);
                if transport.playing {
                    transport.position_samples = transport.position_samples.map(|p| p + BLOCK as i64);
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            remote.deactivate(link);
        });
        self.audio = Some((stop, thread));
    }

    /// Stops the audio thread and deactivates, as a host does.
    pub fn stop_audio(&mut self) {
        if let Some((stop, thread)) = self.audio.take() {
            stop.store(true, Ordering::Relaxed);
            thread.join().unwrap();
        }
    }

    pub fn server_url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    /// A path under this instance's `/api/instances/{id}`.
    /// A WebSocket to a path of the server (`/ws/automation?mode=touch`).
    pub fn websocket(&self, path: &str) -> Socket {
        let url = self.server_url(path).replace("http://", "ws://");
        let (socket, _) = tungstenite::connect(url).expect("WebSocket connects");
        socket
    }

    /// Posts JSON to a path of the server (`/codette/apply`).
    pub fn post_server(&self, path: &str, body: &Value) -> (u16, Value) {
        json(self.client.post(self.server_url(path)).json(body).send().unwrap())
    }

    pub fn url(&self, path: &str) -> String {
        self.server_url(&format!("/api/instances/{}{path}", self.id))
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        json(self.client.get(self.url(path)).send().unwrap())
    }

    pub fn send(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        json(self.client.request(method, self.url(path)).json(body).send().unwrap())
    }

    pub fn send_raw(&self, method: &str, path: &str, body: &str) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let request = self.client.request(method, self.url(path)).header("content-type", "application/json");
        json(request.body(body.to_string()).send().unwrap())
    }

    /// Waits (up to 5 s) until `done` holds.
    pub fn wait_until(&self, what: &str, done: impl FnMut() -> bool) {
        wait_within(Duration::from_secs(5), what, done);
    }

    /// Waits until the instance has been given `seconds` of audio (its audio thread runs
    /// faster than real time; the limit only keeps a broken feed from hanging the test).
    pub fn wait_heard(&self, seconds: f32) {
        let heard = || self.remote.recent_input().is_some_and(|input| input.seconds() >= seconds);
        wait_within(Duration::from_secs(60), &format!("the instance heard {seconds} s"), heard);
    }
}

fn wait_within(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.stop_audio();
    }
}

/// What the audio thread plays (the same in both channels): uniform noise between -0.25 and
/// 0.25 from a xorshift generator seeded with `seed`.
pub fn noise(mut seed: u32) -> impl Iterator<Item = f32> {
    std::iter::repeat_with(move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        (seed as f32 / u32::MAX as f32 - 0.5) * 0.5
    })
}

pub type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>;

/// Sends a JSON message and returns the reply.
pub fn exchange(socket: &mut Socket, message: Value) -> Value {
    socket.send(tungstenite::Message::text(message.to_string())).unwrap();
    loop {
        if let tungstenite::Message::Text(text) = socket.read().unwrap() {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

fn json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.text().unwrap();
    (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}")))
}

/// The error object of a JSON error response, after checking its status.
pub fn error(response: (u16, Value), status: u16) -> Value {
    assert_eq!(response.0, status, "{}", response.1);
    let error = response.1["error"].clone();
    assert!(error["code"].is_string() && error["message"].is_string(), "{error}");
    error
}

/// A parameter of a slot view by id.
pub fn param<'a>(slot: &'a Value, id: &str) -> &'a Value {
    slot["controls"]
        .as_array()
        .unwrap()
        .iter()
        .chain(slot["parameters"].as_array().unwrap())
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {slot}"))
}
