//! The sidecar API's view of this instance: the server's `Instance` trait, every route's
//! reading and editing of the rack.

use super::param_table::ParamTable;
use super::rack_state;
use super::recording::Control;
use super::{config_error, RemoteInstance};
use crate::params::{MACRO_COUNT, SLOT_COUNT};
use codette_dsp::analysis::{Analyzer, MeterReading, SpectrumReading};
use codette_dsp::chain::SlotConfig;
use codette_dsp::modulation::{ModulationConfig, RecordMode};
use codette_dsp::preset::Preset;
use codette_server::instance::{
    Gesture, HistoryView, MetersView, ParamView, ParamsRequest, RackView, RecordOutcome, RecordRequest,
    SlotView, SpectrumView,
};
use codette_server::slots::ParamValue;
use codette_server::transport::HostTransport;
use codette_server::{ApiError, HostFormat, Instance, RecentInput};
use std::sync::atomic::Ordering;
use std::sync::OnceLock;

/// The normalized value a request asks for: `value` in plain units or `normalized`, at most one;
/// `None` when neither is given. Errors name the field under `prefix`.
fn requested_value(
    table: &ParamTable,
    index: usize,
    value: Option<&ParamValue>,
    normalized: Option<f64>,
    prefix: &str,
) -> Result<Option<f32>, ApiError> {
    let at = |name: &str| if prefix.is_empty() { name.to_string() } else { format!("{prefix}.{name}") };
    match (value, normalized) {
        (Some(value), None) => table.plain_to_normalized(index, value, &at("value")).map(Some),
        (None, Some(n)) if (0.0..=1.0).contains(&n) => Ok(Some(n as f32)),
        (None, Some(n)) => Err(ApiError::invalid(
            "out_of_range",
            format!("normalized values are between 0 and 1, got {n}"),
            at("normalized"),
        )),
        (None, None) => Ok(None),
        (Some(_), Some(_)) => {
            Err(ApiError::invalid("invalid_field", "give either value or normalized", prefix))
        }
    }
}

/// What the meters and spectrum read before any audio has been measured, computed once.
fn silence() -> &'static (MeterReading, SpectrumReading) {
    static SILENCE: OnceLock<(MeterReading, SpectrumReading)> = OnceLock::new();
    SILENCE.get_or_init(|| {
        let analyzer = Analyzer::new(48_000.0);
        (analyzer.meters(), analyzer.spectrum())
    })
}

impl Instance for RemoteInstance {
    fn name(&self) -> String {
        "Codette Rack".to_string()
    }

    fn format(&self) -> HostFormat {
        match self.format.load(Ordering::Relaxed) {
            1 => HostFormat::Vst3,
            2 => HostFormat::Standalone,
            _ => HostFormat::Clap,
        }
    }

    fn sample_rate(&self) -> Option<f32> {
        let bits = self.sample_rate.load(Ordering::Relaxed);
        (bits != 0).then(|| f32::from_bits(bits))
    }

    fn block_size(&self) -> Option<u32> {
        let size = self.block_size.load(Ordering::Relaxed);
        (size != 0).then_some(size)
    }

    fn rack(&self) -> Result<RackView, ApiError> {
        let table = self.link.table();
        let telemetry = self.link.telemetry();
        let macros = (1..=MACRO_COUNT)
            .map(|m| {
                let index = table.index(&format!("macro{m}"));
                table.view(index, self.link.normalized(index))
            })
            .collect();
        Ok(RackView {
            slots: (0..SLOT_COUNT).map(|s| self.slot_view(s, telemetry.as_ref())).collect(),
            order: self.params.order.get().iter().map(|s| s + 1).collect(),
            macros,
            modulation: self.params.modulation.config(),
            latency_samples: telemetry.map_or(0, |t| t.latency_samples),
            history: self.history().view(),
        })
    }

    fn set_params(&self, request: ParamsRequest) -> Result<Vec<ParamView>, ApiError> {
        let table = self.link.table();
        let mut changes = Vec::new();
        for (i, change) in request.changes.iter().enumerate() {
            let field = format!("changes[{i}]");
            let index = table.find(&change.id, &format!("{field}.id"))?;
            let normalized = requested_value(table, index, change.value.as_ref(), change.normalized, &field)?
                .ok_or_else(|| {
                    ApiError::invalid("invalid_field", "give either value or normalized", &field)
                })?;
            changes.push((index, normalized));
        }
        for (id, value) in &request.values {
            let field = format!("values.{id}");
            let index = table.find(id, &field)?;
            changes.push((index, table.plain_to_normalized(index, value, &field)?));
        }
        let recorded = match request.gesture {
            Some(Gesture::Begin) => !self.in_gesture.swap(true, Ordering::AcqRel),
            Some(Gesture::End) => !self.in_gesture.swap(false, Ordering::AcqRel) && !changes.is_empty(),
            None => !self.in_gesture.load(Ordering::Acquire),
        };
        let apply = || self.link.send(&changes);
        if recorded {
            self.edit(apply)?;
        } else {
            apply()?;
        }
        Ok(changes.iter().map(|&(index, normalized)| table.view(index, normalized)).collect())
    }

    fn put_slot(&self, slot: usize, config: SlotConfig) -> Result<SlotView, ApiError> {
        if !(1..=SLOT_COUNT).contains(&slot) {
            return Err(
                ApiError::not_found(format!("slots are numbered 1 to {SLOT_COUNT}, got {slot}")).at("n")
            );
        }
        config.validate().map_err(|e| ApiError::invalid("invalid_field", e.message, e.field))?;
        self.edit(|| self.link.send(&rack_state::slot_changes(&self.link, slot - 1, &config)))?;
        Ok(self.slot_view(slot - 1, self.link.telemetry().as_ref()))
    }

    fn move_slot(&self, from: usize, to: usize) -> Result<Vec<usize>, ApiError> {
        for (field, position) in [("from", from), ("to", to)] {
            if !(1..=SLOT_COUNT).contains(&position) {
                return Err(ApiError::invalid(
                    "out_of_range",
                    format!("positions are 1 to {SLOT_COUNT}, got {position}"),
                    field,
                ));
            }
        }
        let mut order = self.params.order.get().to_vec();
        let slot = order.remove(from - 1);
        order.insert(to - 1, slot);
        self.edit(|| self.params.order.set(&order).map_err(ApiError::internal))?;
        Ok(order.iter().map(|s| s + 1).collect())
    }

    fn modulation(&self) -> Result<ModulationConfig, ApiError> {
        Ok(self.params.modulation.config())
    }

    fn set_modulation(&self, config: ModulationConfig) -> Result<(), ApiError> {
        self.edit(|| {
            self.params
                .modulation
                .set(config)
                .map_err(|e| ApiError::invalid("invalid_field", e.message, e.field))
        })
    }

    fn preset(&self) -> Result<Preset, ApiError> {
        Ok(self.capture())
    }

    fn load_preset(&self, preset: Preset) -> Result<(), ApiError> {
        self.load_preset_through(preset, &self.queue())
    }

    fn undo(&self) -> Result<HistoryView, ApiError> {
        self.undo_through(&self.queue())
    }

    fn redo(&self) -> Result<HistoryView, ApiError> {
        self.redo_through(&self.queue())
    }

    fn record(&self, request: &RecordRequest, mode: RecordMode) -> Result<RecordOutcome, ApiError> {
        let table = self.link.table();
        let index = table.find(&request.param, "param")?;
        if crate::modulation_store::targets().resolve(&request.param).is_none() {
            return Err(ApiError::invalid(
                "not_automatable",
                format!(
                    "{} is not continuous; only continuous parameters have automation lanes",
                    request.param
                ),
                "param",
            ));
        }
        let value = requested_value(table, index, request.value.as_ref(), request.normalized, "")?;
        if value.is_none() && request.touch.is_none() {
            return Err(ApiError::invalid("invalid_field", "give value, normalized or touch", "value"));
        }
        let telemetry = self.link.telemetry();
        let current = self.link.normalized(index);
        let mut recording = self.recording.lock().unwrap_or_else(|e| e.into_inner());
        if value.is_some() && recording.would_start(telemetry.as_ref()) {
            self.history().record(self.capture());
        }
        if let Some(v) = value {
            self.link.send(&[(index, v)])?;
        }
        let touching = request.touch.unwrap_or(true);
        let control = Control { param: &request.param, mode, current, value, touching };
        let time = recording
            .value(telemetry.as_ref(), || self.params.modulation.config().lanes, control)
            .map_err(|m| ApiError::invalid("invalid_field", m, "value"))?;
        Ok(RecordOutcome {
            instance: request.instance.clone(),
            param: request.param.clone(),
            recorded: time.is_some() && value.is_some(),
            time_samples: time,
            normalized: Some(self.link.normalized(index) as f64),
        })
    }

    fn record_tick(&self) -> Result<(), ApiError> {
        let telemetry = self.link.telemetry();
        let lanes = self.recording.lock().unwrap_or_else(|e| e.into_inner()).tick(telemetry.as_ref());
        let Some(lanes) = lanes.map_err(ApiError::internal)? else { return Ok(()) };
        let mut config = self.params.modulation.config();
        config.lanes = lanes;
        self.params.modulation.set(config).map_err(|e| config_error(e, "modulation"))
    }

    fn meters(&self) -> Result<MetersView, ApiError> {
        let telemetry = self.link.telemetry();
        let meters = self.readings.meters();
        Ok(MetersView {
            active: telemetry.is_some() && meters.is_some(),
            meters: meters.unwrap_or_else(|| silence().0),
            gain_reduction_db: (0..SLOT_COUNT)
                .map(|s| telemetry.and_then(|t| t.gain_reduction_db[s]))
                .collect(),
        })
    }

    fn spectrum(&self) -> Result<SpectrumView, ApiError> {
        let reading = self.readings.spectrum();
        let active = reading.is_some() && self.link.telemetry().is_some();
        let SpectrumReading { frequencies, db } = reading.unwrap_or_else(|| silence().1.clone());
        Ok(SpectrumView { active, frequencies, db })
    }

    fn recent_input(&self) -> Option<RecentInput> {
        self.readings.recent_input()
    }

    fn host_transport(&self) -> Option<HostTransport> {
        if self.format() == HostFormat::Standalone {
            return None;
        }
        let telemetry = self.link.telemetry()?;
        let (transport, loop_seconds) = (telemetry.transport, telemetry.loop_seconds);
        Some(HostTransport { transport, sample_rate: self.sample_rate()?, loop_seconds })
    }
}
