//! The rack's edit history: snapshots of the whole rack before each edit.
//!
//! Whole-rack snapshots (presets) rather than inverse operations: every kind of edit (a
//! parameter, a slot, a move, the modulation, a loaded state) is undone the same way, and an
//! undo can never drift from what the rack really was.

use codette_dsp::preset::Preset;
use codette_server::instance::HistoryView;

/// Edits kept; older ones are forgotten.
const DEPTH: usize = 100;

#[derive(Default)]
pub struct History {
    undo: Vec<Preset>,
    redo: Vec<Preset>,
}

impl History {
    /// Records the rack as it was before an edit; a new edit ends what could be redone.
    pub fn record(&mut self, before: Preset) {
        if self.undo.len() == DEPTH {
            self.undo.remove(0);
        }
        self.undo.push(before);
        self.redo.clear();
    }

    /// The state to go back to, given the current one (kept for redo).
    pub fn undo(&mut self, current: Preset) -> Option<Preset> {
        let previous = self.undo.pop()?;
        self.redo.push(current);
        Some(previous)
    }

    pub fn redo(&mut self, current: Preset) -> Option<Preset> {
        let next = self.redo.pop()?;
        self.undo.push(current);
        Some(next)
    }

    pub fn view(&self) -> HistoryView {
        HistoryView { undo_steps: self.undo.len(), redo_steps: self.redo.len() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Preset {
        Preset::new(name)
    }

    #[test]
    fn undo_and_redo_walk_the_snapshots_in_order() {
        let mut history = History::default();
        history.record(named("a"));
        history.record(named("b"));
        assert_eq!(history.undo(named("c")).unwrap().name, "b");
        assert_eq!(history.undo(named("b")).unwrap().name, "a");
        assert!(history.undo(named("a")).is_none());
        assert_eq!(history.redo(named("a")).unwrap().name, "b");
        assert_eq!(history.view(), HistoryView { undo_steps: 1, redo_steps: 1 });
        history.record(named("x"));
        assert_eq!(history.view(), HistoryView { undo_steps: 2, redo_steps: 0 });
    }

    #[test]
    fn only_the_last_hundred_edits_are_kept() {
        let mut history = History::default();
        (0..150).for_each(|i| history.record(named(&i.to_string())));
        assert_eq!(history.view().undo_steps, DEPTH);
        let mut last = String::new();
        while let Some(p) = history.undo(named("now")) {
            last = p.name;
        }
        assert_eq!(last, "50");
    }
}
