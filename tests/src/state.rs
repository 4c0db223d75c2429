//! The byte format of a saved state: an 8-byte little-endian length, then the JSON.

/// The JSON inside a saved state (nice-plug writes an 8-byte little-endian length first).
pub fn state_json(bytes: &[u8]) -> serde_json::Value {
    assert!(bytes.len() >= 8, "a state is at least its 8-byte length prefix");
    let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    assert_eq!(len, bytes.len() - 8, "the length prefix counts the JSON that follows");
    serde_json::from_slice(&bytes[8..]).unwrap_or_else(|e| panic!("saved state is not JSON: {e}"))
}

/// A state stream as the plugin's CLAP wrapper reads it: length prefix and payload.
pub fn state_bytes(payload: &[u8]) -> Vec<u8> {
    let mut out = (payload.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(payload);
    out
}

pub fn state_from_json(value: &serde_json::Value) -> Vec<u8> {
    state_bytes(&serde_json::to_vec(value).unwrap())
}
