//! MIDI input: the events the caller passes in, and the values and gate they drive.

use super::matrix::SourceValues;

pub const CC_COUNT: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MidiMessage {
    /// `velocity` 0..1 as hosts deliver it; a note-on with velocity 0 is a note-off, as in MIDI.
    NoteOn {
        note: u8,
        velocity: f32,
    },
    NoteOff {
        note: u8,
    },
    /// A controller's raw value, 0..127.
    Cc {
        cc: u8,
        value: u8,
    },
}

/// A MIDI message at a sample offset within the tick. A tick's events come sorted by offset,
/// as hosts deliver them; offsets beyond the tick count as its end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MidiEvent {
    pub offset: u32,
    pub message: MidiMessage,
}

impl MidiEvent {
    pub(crate) fn is_note_on(&self) -> bool {
        matches!(self.message, MidiMessage::NoteOn { velocity, .. } if velocity > 0.0)
    }
}

/// What a MIDI event does to a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gate {
    /// A note-on: (re)start, even while other notes are held.
    Open,
    /// The last held note was released.
    Close,
}

/// The set of held notes, so that the gate closes only when the last one is released.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct HeldNotes([u64; 2]);

impl HeldNotes {
    pub(crate) fn apply(&mut self, message: &MidiMessage) -> Option<Gate> {
        let bit_of = |note: u8| ((note as usize >> 6) & 1, 1u64 << (note & 63));
        match *message {
            MidiMessage::NoteOn { note, velocity } if velocity > 0.0 => {
                let (w, b) = bit_of(note);
                self.0[w] |= b;
                Some(Gate::Open)
            }
            MidiMessage::NoteOn { note, .. } | MidiMessage::NoteOff { note } => {
                let (w, b) = bit_of(note);
                let was_held = self.0[w] & b != 0;
                self.0[w] &= !b;
                (was_held && self.0 == [0, 0]).then_some(Gate::Close)
            }
            MidiMessage::Cc { .. } => None,
        }
    }
}

/// Updates the MIDI sources (velocity, note, CCs) for one message.
pub(crate) fn apply_to_sources(values: &mut SourceValues, message: &MidiMessage) {
    match *message {
        MidiMessage::NoteOn { note, velocity } if velocity > 0.0 => {
            values.velocity = velocity.min(1.0);
            values.note = note.min(127) as f32 / 127.0;
        }
        MidiMessage::Cc { cc, value } => {
            if let Some(v) = values.cc.get_mut(cc as usize) {
                *v = value.min(127) as f32 / 127.0;
            }
        }
        _ => {}
    }
}
