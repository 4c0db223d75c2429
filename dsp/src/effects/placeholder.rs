//! TEMPORARY pass-through used while the effects are written. Must be gone before release.

pub struct Passthrough;

impl crate::effect::Effect for Passthrough {
    fn set_param(&mut self, _index: usize, _value: f32) {}
    fn reset(&mut self) {}
    fn process(&mut self, _left: &mut [f32], _right: &mut [f32]) {}
}
