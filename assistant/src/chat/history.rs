//! The recent turns of each conversation, so that a model can take up a follow-up question
//! ("and the highs?"). Bounded: the oldest conversations are forgotten first, and each keeps
//! only its last turns, so that no client can grow it without limit.

use std::collections::VecDeque;
use std::sync::Mutex;

/// Conversations remembered at once.
pub const MAX_CONVERSATIONS: usize = 64;
/// Turns remembered per conversation.
pub const MAX_TURNS: usize = 8;

#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub user: String,
    pub assistant: String,
}

#[derive(Debug, Default)]
pub struct Conversations {
    /// Least recently used first.
    inner: Mutex<VecDeque<(String, VecDeque<Turn>)>>,
}

impl Conversations {
    /// The remembered turns of `id`, oldest first.
    pub fn turns(&self, id: &str) -> Vec<Turn> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .iter()
            .find(|(c, _)| c == id)
            .map(|(_, turns)| turns.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn record(&self, id: &str, turn: Turn) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut turns = match inner.iter().position(|(c, _)| c == id) {
            Some(i) => inner.remove(i).map(|(_, t)| t).unwrap_or_default(),
            None => VecDeque::new(),
        };
        turns.push_back(turn);
        if turns.len() > MAX_TURNS {
            turns.pop_front();
        }
        inner.push_back((id.to_string(), turns));
        if inner.len() > MAX_CONVERSATIONS {
            inner.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(n: usize) -> Turn {
        Turn { user: format!("q{n}"), assistant: format!("a{n}") }
    }

    #[test]
    fn keeps_the_last_turns_of_the_latest_conversations() {
        let c = Conversations::default();
        for n in 0..MAX_TURNS + 3 {
            c.record("a", turn(n));
        }
        let turns = c.turns("a");
        assert_eq!(turns.len(), MAX_TURNS);
        assert_eq!(turns[0], turn(3));
        assert_eq!(turns[MAX_TURNS - 1], turn(MAX_TURNS + 2));
        for n in 0..MAX_CONVERSATIONS {
            c.record(&n.to_string(), turn(n));
        }
        assert!(c.turns("a").is_empty(), "the oldest conversation is forgotten");
        assert_eq!(c.turns("0"), [turn(0)]);
        c.record("0", turn(1));
        c.record("new", turn(2));
        assert_eq!(c.turns("0").len(), 2, "a conversation in use is kept");
    }
}
