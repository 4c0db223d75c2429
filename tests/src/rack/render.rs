//! Rendering audio through the rack on a separate thread, as a host's audio thread does.

use super::Rack;
use crate::{Event, Stereo, TestHost};
use clack_host::events::event_types::{ParamModEvent, ParamValueEvent};
use clack_host::prelude::*;

impl Rack {
    /// Renders `input` in blocks of `block` frames on an audio thread, with parameter events at
    /// absolute positions. `Err` names the first block whose `process` call failed.
    pub fn render(&mut self, input: &Stereo, block: usize, events: &[Event]) -> Result<Stereo, String> {
        self.render_with(input, block, events, |_| {})
    }

    /// Like [`render`](Self::render), calling `after_block(block_index)` on the audio thread
    /// after each block (to let wall-clock time pass, as it does in real time).
    pub fn render_with(
        &mut self,
        input: &Stereo,
        block: usize,
        events: &[Event],
        after_block: impl FnMut(usize) + Send,
    ) -> Result<Stereo, String> {
        assert!(block >= 1 && block <= self.max_block, "block {block} > max {}", self.max_block);
        assert_eq!(input.0.len(), input.1.len());
        let processor = self.processor.take().expect("render needs an active instance");
        let mut events = events.to_vec();
        events.sort_by_key(|e| e.at);
        let channels_in = self.input_channels;
        let steady_time = self.steady_time;
        let (processor, result) = std::thread::scope(|s| {
            std::thread::Builder::new()
                .name("host-audio".into())
                .spawn_scoped(s, move || {
                    let mut processor = processor;
                    let result = render_blocks(
                        &mut processor,
                        input,
                        block,
                        &events,
                        channels_in,
                        steady_time,
                        after_block,
                    );
                    (processor, result)
                })
                .expect("spawn audio thread")
                .join()
                .expect("the audio thread panicked")
        });
        self.processor = Some(processor);
        self.steady_time += input.0.len() as u64;
        self.serve_main_thread();
        result
    }
}

/// The first `n` frames of each buffer, as a port's input channels.
fn input_channels(buffers: &mut [Vec<f32>], n: usize) -> impl Iterator<Item = InputChannel<'_, f32>> {
    buffers.iter_mut().map(move |b| InputChannel::variable(&mut b[..n]))
}

fn render_blocks(
    processor: &mut StartedPluginAudioProcessor<TestHost>,
    input: &Stereo,
    block: usize,
    events: &[Event],
    channels_in: usize,
    mut steady_time: u64,
    mut after_block: impl FnMut(usize),
) -> Result<Stereo, String> {
    let len = input.0.len();
    let mut out = (vec![0.0f32; len], vec![0.0f32; len]);
    let mut in_bufs = vec![vec![0.0f32; block]; channels_in];
    let mut out_bufs = vec![vec![0.0f32; block]; 2];
    // Every declared input port gets buffers, as hosts do: the main input and the (silent)
    // stereo sidechain.
    let mut sidechain = vec![vec![0.0f32; block]; 2];
    let mut in_ports = AudioPorts::with_capacity(channels_in + 2, 2);
    let mut out_ports = AudioPorts::with_capacity(2, 1);
    let mut in_events = EventBuffer::with_capacity(64);
    let mut out_events = EventBuffer::with_capacity(64);
    let mut next_event = 0;
    let mut start = 0;
    let mut index = 0;
    while start < len {
        let n = block.min(len - start);
        let sources = [&input.0, &input.1];
        for (ch, buf) in in_bufs.iter_mut().enumerate() {
            buf[..n].copy_from_slice(&sources[ch][start..start + n]);
        }
        in_events.clear();
        out_events.clear();
        while next_event < events.len() && events[next_event].at < start + n {
            let e = &events[next_event];
            let at = e.at.saturating_sub(start) as u32;
            if e.modulation {
                in_events.push(&ParamModEvent::new(at, ClapId::new(e.id), Pckn::match_all(), e.value));
            } else {
                in_events.push(&ParamValueEvent::new(at, ClapId::new(e.id), Pckn::match_all(), e.value));
            }
            next_event += 1;
        }
        let inputs = in_ports.with_input_buffers([
            AudioPortBuffer {
                latency: 0,
                channels: AudioPortBufferType::f32_input_only(input_channels(&mut in_bufs, n)),
            },
            AudioPortBuffer {
                latency: 0,
                channels: AudioPortBufferType::f32_input_only(input_channels(&mut sidechain, n)),
            },
        ]);
        let mut outputs = out_ports.with_output_buffers([AudioPortBuffer {
            latency: 0,
            channels: AudioPortBufferType::f32_output_only(out_bufs.iter_mut().map(|b| &mut b[..n])),
        }]);
        processor
            .process(
                &inputs,
                &mut outputs,
                &in_events.as_input(),
                &mut out_events.as_output(),
                Some(steady_time),
                None,
            )
            .map_err(|e| format!("process() failed on block {index} (frames {start}..{}): {e}", start + n))?;
        out.0[start..start + n].copy_from_slice(&out_bufs[0][..n]);
        out.1[start..start + n].copy_from_slice(&out_bufs[1][..n]);
        after_block(index);
        steady_time += n as u64;
        start += n;
        index += 1;
    }
    Ok(out)
}
