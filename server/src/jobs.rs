//! Long renders as jobs: answered at once with an id, rendered in the background, followed on
//! `/ws` and fetched when done.
//!
//! Jobs live in memory. Finished ones (done or failed) are kept up to a cap and the oldest is
//! evicted first; queued and running jobs are never evicted. Jobs render one at a time, so a
//! queue of big mixdowns cannot take every core away from the host; each render still uses all
//! cores for its tracks.

use crate::error::{ApiError, ErrorBody};
use crate::hub::{self, Hub};
use crate::mixdown::render::{render, MixOutput, MixReport, Progress, Stage};
use crate::mixdown::MixPlan;
use crate::state::StopFlag;
use axum::http::StatusCode;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use utoipa::ToSchema;

/// Jobs waiting or running at once; more are refused with 503 rather than queued forever.
pub const MAX_PENDING: usize = 32;

/// Progress messages of one job are at most this frequent (stage changes always go out).
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

/// A job as `GET /api/jobs/{id}` and the `202` of `POST /api/mixdown` describe it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobInfo {
    pub job_id: String,
    pub status: JobStatus,
    /// 0..1 over the whole render.
    pub progress: f64,
    pub stage: Stage,
    pub status_url: String,
    /// Where the WAV is, once the job is done.
    pub result_url: Option<String>,
    pub error: Option<ErrorBody>,
    pub report: Option<MixReport>,
}

struct Job {
    status: JobStatus,
    progress: f64,
    stage: Stage,
    error: Option<ErrorBody>,
    output: Option<Arc<MixOutput>>,
}

#[derive(Clone)]
pub struct Jobs {
    inner: Arc<Inner>,
}

struct Inner {
    store: Mutex<Store>,
    hub: Hub,
    max_finished: usize,
    /// One render at a time.
    gate: Semaphore,
    counter: AtomicU64,
    salt: std::collections::hash_map::RandomState,
    stop: StopFlag,
}

#[derive(Default)]
struct Store {
    /// Ids, oldest first.
    order: VecDeque<String>,
    jobs: HashMap<String, Job>,
}

impl Jobs {
    /// Jobs announced on `hub`, at most `max_finished` finished ones kept, cancelled by `stop`.
    pub fn new(hub: Hub, max_finished: usize, stop: StopFlag) -> Self {
        Self {
            inner: Arc::new(Inner {
                store: Mutex::default(),
                hub,
                max_finished: max_finished.max(1),
                gate: Semaphore::new(1),
                counter: AtomicU64::new(0),
                salt: Default::default(),
                stop,
            }),
        }
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.inner.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a render and starts it in the background (call within the server's runtime).
    pub fn submit(&self, plan: MixPlan) -> Result<JobInfo, ApiError> {
        let id = self.new_id();
        {
            let mut store = self.store();
            let pending = store
                .jobs
                .values()
                .filter(|j| matches!(j.status, JobStatus::Queued | JobStatus::Running))
                .count();
            if pending >= MAX_PENDING {
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "too_many_jobs",
                    format!("{pending} jobs are already waiting; try again when some have finished"),
                ));
            }
            let job = Job {
                status: JobStatus::Queued,
                progress: 0.0,
                stage: Stage::Queued,
                error: None,
                output: None,
            };
            store.jobs.insert(id.clone(), job);
            store.order.push_back(id.clone());
            self.evict(&mut store);
        }
        self.publish_progress(&id, 0.0, Stage::Queued);
        let jobs = self.clone();
        let job_id = id.clone();
        tokio::spawn(async move { jobs.run(job_id, plan).await });
        Ok(self.info(&id).expect("just inserted"))
    }

    async fn run(self, id: String, plan: MixPlan) {
        let Ok(_permit) = self.inner.gate.acquire().await else {
            return self.fail(&id, shutting_down());
        };
        self.update(&id, |job| job.status = JobStatus::Running);
        let reporter = Reporter {
            jobs: self.clone(),
            id: id.clone(),
            last: Mutex::new((Instant::now(), Stage::Queued, 0.0)),
        };
        let outcome = tokio::task::spawn_blocking(move || render(plan, &reporter)).await;
        match outcome {
            Ok(Ok(Some(output))) => {
                let report = output.report.clone();
                self.update(&id, |job| {
                    job.status = JobStatus::Done;
                    job.progress = 1.0;
                    job.output = Some(Arc::new(output));
                });
                let data = serde_json::json!({
                    "job_id": id, "status_url": status_url(&id), "result_url": result_url(&id), "report": report,
                });
                self.inner.hub.publish(hub::JOBS, "job_done", data);
            }
            Ok(Ok(None)) => self.fail(&id, shutting_down()),
            Ok(Err(error)) => self.fail(&id, error),
            Err(_) => self.fail(&id, ApiError::internal("the render stopped unexpectedly")),
        }
    }

    fn fail(&self, id: &str, error: ApiError) {
        self.update(id, |job| {
            job.status = JobStatus::Failed;
            job.error = Some(error.body.clone());
        });
        self.inner.hub.publish(
            hub::JOBS,
            "job_failed",
            serde_json::json!({ "job_id": id, "error": error.body }),
        );
    }

    fn update(&self, id: &str, change: impl FnOnce(&mut Job)) {
        let mut store = self.store();
        if let Some(job) = store.jobs.get_mut(id) {
            change(job);
        }
        self.evict(&mut store);
    }

    /// Drops the oldest finished jobs beyond the cap.
    fn evict(&self, store: &mut Store) {
        let finished = |s: &Store, id: &str| {
            s.jobs.get(id).is_some_and(|j| matches!(j.status, JobStatus::Done | JobStatus::Failed))
        };
        let mut count = store.order.iter().filter(|id| finished(store, id)).count();
        while count > self.inner.max_finished {
            let Some(pos) = store.order.iter().position(|id| finished(store, id)) else { break };
            if let Some(id) = store.order.remove(pos) {
                store.jobs.remove(&id);
            }
            count -= 1;
        }
    }

    fn publish_progress(&self, id: &str, progress: f64, stage: Stage) {
        let data = serde_json::json!({ "job_id": id, "progress": progress, "stage": stage });
        self.inner.hub.publish(hub::JOBS, "job_progress", data);
    }

    pub fn info(&self, id: &str) -> Option<JobInfo> {
        self.store().jobs.get(id).map(|job| info(id, job))
    }

    /// Every job kept, oldest first.
    pub fn list(&self) -> Vec<JobInfo> {
        let store = self.store();
        store.order.iter().filter_map(|id| store.jobs.get(id).map(|job| info(id, job))).collect()
    }

    /// The finished render, or the error that says why there is none (yet).
    pub fn output(&self, id: &str) -> Result<Arc<MixOutput>, ApiError> {
        let store = self.store();
        let job = store.jobs.get(id).ok_or_else(|| unknown(id))?;
        match (&job.output, job.status) {
            (Some(output), _) => Ok(output.clone()),
            (None, JobStatus::Failed) => Err(ApiError::new(
                StatusCode::CONFLICT,
                "job_failed",
                format!("job {id} failed: {}", job.error.as_ref().map_or("", |e| e.message.as_str())),
            )),
            (None, _) => Err(ApiError::new(
                StatusCode::CONFLICT,
                "job_not_finished",
                format!(
                    "job {id} is {:?} at {:.0} %; its result is not ready",
                    job.status,
                    job.progress * 100.0
                )
                .to_lowercase(),
            )),
        }
    }

    /// Makes running renders stop at their next progress check and queued ones fail (server
    /// shutdown).
    pub fn cancel_all(&self) {
        self.inner.stop.set();
        self.inner.gate.close();
    }

    fn new_id(&self) -> String {
        let mut hasher = self.inner.salt.build_hasher();
        hasher.write_u64(self.inner.counter.fetch_add(1, Ordering::Relaxed));
        format!("{:016x}", hasher.finish())
    }
}

/// The error of work abandoned because the server stops.
pub fn shutting_down() -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "cancelled", "the server is shutting down")
}

pub fn unknown(id: &str) -> ApiError {
    ApiError::not_found(format!("no job {id:?} (unknown, or evicted after finishing)")).at("id")
}

fn status_url(id: &str) -> String {
    format!("/api/jobs/{id}")
}

fn result_url(id: &str) -> String {
    format!("/api/jobs/{id}/result")
}

fn info(id: &str, job: &Job) -> JobInfo {
    JobInfo {
        job_id: id.to_string(),
        status: job.status,
        progress: job.progress,
        stage: job.stage,
        status_url: status_url(id),
        result_url: job.output.as_ref().map(|_| result_url(id)),
        error: job.error.clone(),
        report: job.output.as_ref().map(|o| o.report.clone()),
    }
}

/// Feeds a render's progress into its job and onto the `jobs` topic, throttled and monotonic
/// (workers report concurrently, so their numbers can arrive slightly out of order).
struct Reporter {
    jobs: Jobs,
    id: String,
    last: Mutex<(Instant, Stage, f64)>,
}

impl Progress for Reporter {
    fn report(&self, stage: Stage, progress: f64) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let (when, last_stage, last_progress) = *last;
        let new_stage = stage != last_stage;
        if progress <= last_progress && !new_stage {
            return;
        }
        if !new_stage && progress < 1.0 && now.duration_since(when) < PROGRESS_INTERVAL {
            return;
        }
        let progress = progress.max(last_progress);
        *last = (now, stage, progress);
        self.jobs.update(&self.id, |job| {
            job.progress = progress;
            job.stage = stage;
        });
        self.jobs.publish_progress(&self.id, progress, stage);
    }

    fn cancelled(&self) -> bool {
        self.jobs.inner.stop.is_set()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{wav::WavFormat, Audio};
    use crate::mixdown::TrackPlan;

    fn plan() -> MixPlan {
        let audio = Audio { channels: vec![vec![0.25; 4800]], sample_rate: 48_000 };
        MixPlan {
            tracks: vec![TrackPlan { index: 0, audio, chain: vec![], gains: (0.5, 0.5) }],
            master: vec![],
            sample_rate: 48_000,
            format: WavFormat::PCM16,
            loudness_target_lufs: None,
            frames: 4800,
            input_seconds: 0.1,
            run_async: Some(true),
            tempo_bpm: 120.0,
        }
    }

    async fn settled(jobs: &Jobs, id: &str) -> JobInfo {
        for _ in 0..500 {
            let info = jobs.info(id).unwrap();
            if matches!(info.status, JobStatus::Done | JobStatus::Failed) {
                return info;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("job {id} did not finish");
    }

    #[tokio::test]
    async fn jobs_finish_or_fail_with_an_error() {
        let hub = Hub::new();
        let mut messages = hub.subscribe(hub::JOBS).unwrap();
        let jobs = Jobs::new(hub, 4, StopFlag::default());
        let done = jobs.submit(plan()).unwrap();
        assert_eq!(done.status, JobStatus::Queued);
        let info = settled(&jobs, &done.job_id).await;
        assert_eq!((info.status, info.progress), (JobStatus::Done, 1.0));
        assert!(jobs.output(&done.job_id).unwrap().wav.starts_with(b"RIFF"));

        jobs.cancel_all();
        let failed = jobs.submit(plan()).unwrap();
        let info = settled(&jobs, &failed.job_id).await;
        assert_eq!(info.status, JobStatus::Failed);
        assert_eq!(info.error.unwrap().code, "cancelled");
        assert_eq!(jobs.output(&failed.job_id).unwrap_err().body.code, "job_failed");
        let mut kinds = Vec::new();
        while let Ok(m) = messages.try_recv() {
            let v: serde_json::Value = serde_json::from_str(m.as_str()).unwrap();
            kinds.push(v["type"].as_str().unwrap().to_string());
        }
        assert!(
            kinds.contains(&"job_done".to_string()) && kinds.last().unwrap() == "job_failed",
            "{kinds:?}"
        );
    }
}
