//! The rack's latency, audio ports (and their configurations), remote-control pages and render
//! mode.

use super::Rack;
use clack_extensions::audio_ports::{AudioPortInfoBuffer, PluginAudioPorts};
use clack_extensions::audio_ports_config::{AudioPortsConfigBuffer, PluginAudioPortsConfig};
use clack_extensions::render::{PluginRender, RenderMode};
use clack_host::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct PortInfo {
    pub id: u32,
    pub name: String,
    pub channels: u32,
    pub port_type: Option<String>,
    pub is_main: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PortsConfig {
    pub id: u32,
    pub name: String,
    pub input_ports: u32,
    pub output_ports: u32,
    pub main_input_channels: Option<u32>,
    pub main_output_channels: Option<u32>,
}

impl Rack {
    pub fn latency(&mut self) -> u32 {
        let latency = self.latency.expect("the plugin has the latency extension");
        let handle = self.instance.plugin_handle();
        latency.get(&handle)
    }

    /// The CLAP remote-control pages: (section, page name, parameter ids on the page).
    pub fn remote_pages(&mut self) -> Vec<(String, String, Vec<u32>)> {
        use clack_extensions::remote_controls::{PluginRemoteControls, RemoteControlsPageBuffer};
        let handle = self.instance.plugin_handle();
        let Some(pages) = handle.get_extension::<PluginRemoteControls>() else { return Vec::new() };
        let mut buffer = RemoteControlsPageBuffer::new();
        (0..pages.count(&handle))
            .filter_map(|i| {
                let page = pages.get(&handle, i, &mut buffer)?;
                Some((
                    String::from_utf8_lossy(page.section_name).into_owned(),
                    String::from_utf8_lossy(page.page_name).into_owned(),
                    page.param_ids.iter().flatten().map(|id| id.get()).collect(),
                ))
            })
            .collect()
    }

    pub fn audio_ports(&mut self, is_input: bool) -> Vec<PortInfo> {
        let handle = self.instance.plugin_handle();
        let ports =
            handle.get_extension::<PluginAudioPorts>().expect("the plugin has the audio-ports extension");
        let mut buffer = AudioPortInfoBuffer::new();
        (0..ports.count(&handle, is_input))
            .map(|i| {
                let info = ports.get(&handle, i, is_input, &mut buffer).expect("port info");
                PortInfo {
                    id: info.id.get(),
                    name: String::from_utf8_lossy(info.name).into_owned(),
                    channels: info.channel_count,
                    port_type: info.port_type.map(|t| t.0.to_string_lossy().into_owned()),
                    is_main: info.flags.contains(clack_extensions::audio_ports::AudioPortFlags::IS_MAIN),
                }
            })
            .collect()
    }

    pub fn ports_configs(&mut self) -> Vec<PortsConfig> {
        let handle = self.instance.plugin_handle();
        let Some(ext) = handle.get_extension::<PluginAudioPortsConfig>() else { return Vec::new() };
        let mut buffer = AudioPortsConfigBuffer::new();
        (0..ext.count(&handle))
            .map(|i| {
                let c = ext.get(&handle, i, &mut buffer).expect("ports config");
                PortsConfig {
                    id: c.id.get(),
                    name: String::from_utf8_lossy(c.name).into_owned(),
                    input_ports: c.input_port_count,
                    output_ports: c.output_port_count,
                    main_input_channels: c.main_input.as_ref().map(|p| p.channel_count),
                    main_output_channels: c.main_output.as_ref().map(|p| p.channel_count),
                }
            })
            .collect()
    }

    /// Selects an audio ports configuration (inactive only).
    pub fn select_ports_config(&mut self, id: u32) {
        assert!(!self.is_active(), "select a ports configuration before activating");
        let configs = self.ports_configs();
        let config = configs.iter().find(|c| c.id == id).expect("known configuration id");
        let handle = self.instance.plugin_handle();
        let ext = handle.get_extension::<PluginAudioPortsConfig>().unwrap();
        ext.select(&handle, ClapId::new(id)).expect("the plugin accepts the configuration");
        self.input_channels = config.main_input_channels.unwrap_or(0) as usize;
    }

    pub fn set_render_mode(&mut self, offline: bool) {
        let handle = self.instance.plugin_handle();
        let ext = handle.get_extension::<PluginRender>().expect("the plugin has the render extension");
        let mode = if offline { RenderMode::Offline } else { RenderMode::Realtime };
        ext.set(&handle, mode).expect("the plugin accepts the render mode");
    }
}
