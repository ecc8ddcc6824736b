//! The demo jobs: one for every state the card must show, plus jobs that move through time.
//!
//! | id        | what it is                                                            |
//! |-----------|-----------------------------------------------------------------------|
//! | 101       | queued 12 s, then processing 48 s, then finished (clock starts on first request) |
//! | 102       | finished, with output, quality score and before/after preview clips   |
//! | 103       | failed                                                                |
//! | 104       | canceled                                                              |
//! | 105       | finished, but its output was deleted                                  |
//! | 106       | a free preview job (finished, watermarked, not charged)               |
//! | 107       | finished, every number at the schema's bounds                         |
//! | 108       | in queue (stays there)                                                |
//! | 109       | processing at 42 % (stays there)                                      |
//! | 110       | an unknown status code (7)                                            |
//! | 111       | hostile strings and URLs (markup in names, `javascript:` links)       |
//! | 112       | processing with out-of-range progress (1.7) and a negative ETA        |
//! | 403       | another account's job: 403                                            |
//! | 2000–2999 | quick lifecycle: 2 s queued, 5 s processing, then finished; one clock per id |
//!
//! Every other id is 404. Static jobs take their timestamps from the server's start, so polling
//! one returns the same bytes every time.

use std::time::Duration;

use tensorpix_models::time::format_rfc3339_millis;
use tensorpix_models::{
    Codec, Credits, Job, JobStatus, MlModel, OutputResolution, PreviewVideos, RestoredVideo, Task, Video,
};

/// The ids of the demo jobs that answer 200, in catalog order.
pub const DEMO_JOB_IDS: &[i64] = &[101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112];

/// The jobs with a quick lifecycle (2 s queued, 5 s processing), one clock per id.
pub const QUICK_LIFECYCLE_IDS: std::ops::RangeInclusive<i64> = 2000..=2999;

/// The job that belongs to another account.
pub const FORBIDDEN_JOB_ID: i64 = 403;

/// Where a job's clock stands: what the simulator needs to build a job's current state.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// `http://host:port` of the simulator as the client reached it, for media URLs.
    pub origin: &'a str,
    /// Wall-clock milliseconds at server start (static jobs are dated from here).
    pub anchor_millis: i64,
    /// Wall-clock milliseconds now.
    pub now_millis: i64,
}

/// The answer for a job id.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found(Box<Job>),
    Forbidden,
    NotFound,
}

/// How long a moving job spends in each state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    pub queued: Duration,
    pub processing: Duration,
}

/// The lifecycle of a moving job, or `None` for jobs that stay as they are.
pub fn lifecycle(id: i64) -> Option<Lifecycle> {
    match id {
        101 => Some(Lifecycle {
            queued: Duration::from_secs(12),
            processing: Duration::from_secs(48),
        }),
        id if QUICK_LIFECYCLE_IDS.contains(&id) => Some(Lifecycle {
            queued: Duration::from_secs(2),
            processing: Duration::from_secs(5),
        }),
        _ => None,
    }
}

/// The job with this id as it is now. `started_millis` is when a moving job's clock started.
pub fn lookup(id: i64, context: &Context, started_millis: Option<i64>) -> Lookup {
    if id == FORBIDDEN_JOB_ID {
        return Lookup::Forbidden;
    }
    if let Some(lifecycle) = lifecycle(id) {
        let start = started_millis.unwrap_or(context.now_millis);
        let name = if id == 101 {
            "family-reunion-1994.mp4"
        } else {
            "quick-test-clip.mp4"
        };
        return Lookup::Found(Box::new(moving_job(id, name, lifecycle, start, context)));
    }
    let ago = |minutes: i64| context.anchor_millis - minutes * 60_000;
    let job = match id {
        102 => with_preview_clips(
            finished(
                base(id, "wedding-1998-vhs-transfer.mp4", context),
                ago(62),
                ago(50),
                context,
            ),
            context,
        ),
        103 => {
            let mut job = base(id, "drone-footage-raw.mov", context);
            job.status = JobStatus::Failed;
            job.started = format_rfc3339_millis(ago(40));
            job.finished = format_rfc3339_millis(ago(37));
            job.processing_progress = Some(0.37);
            job.eta_s = Some(0.0);
            job
        }
        104 => {
            let mut job = base(id, "graduation-speech.mp4", context);
            job.status = JobStatus::Canceled;
            job.started = format_rfc3339_millis(ago(30));
            job.finished = format_rfc3339_millis(ago(28));
            job.processing_progress = Some(0.61);
            job.eta_s = Some(0.0);
            job.cost_usd = Credits("1.2500".into());
            job
        }
        105 => {
            let mut job = finished(
                base(id, "old-interview.mp4", context),
                ago(3 * 24 * 60),
                ago(3 * 24 * 60 - 9),
                context,
            );
            if let Some(output) = job.output_video.as_mut() {
                output.deleted = format_rfc3339_millis(ago(24 * 60));
            }
            job
        }
        106 => {
            let mut job = finished(base(id, "skate-session.mp4", context), ago(15), ago(14), context);
            job.preview = true;
            job.cost_usd = Credits("0.0000".into());
            job.description = "Free preview: a 10-second segment, watermarked".into();
            if let Some(output) = job.output_video.as_mut() {
                output.n_frames = Some(500);
                output.size = Some(6_250_000);
            }
            job
        }
        107 => at_schema_bounds(id, ago(120), ago(5), context),
        108 => base(id, "birthday-party-2003.avi", context),
        109 => processing(base(id, "concert-bootleg.mkv", context), ago(2), 0.42, 125.0),
        110 => {
            let mut job = base(id, "mystery-tape.mp4", context);
            job.status = JobStatus::Unknown(7);
            job.started = format_rfc3339_millis(ago(8));
            job
        }
        111 => hostile(id, context),
        112 => processing(base(id, "odd-values.mp4", context), ago(1), 1.7, -5.0),
        _ => return Lookup::NotFound,
    };
    Lookup::Found(Box::new(job))
}

fn moving_job(id: i64, name: &str, lifecycle: Lifecycle, start: i64, context: &Context) -> Job {
    let queued = lifecycle.queued.as_millis() as i64;
    let processing_for = lifecycle.processing.as_millis() as i64;
    let elapsed = (context.now_millis - start).max(0);
    let job = base(id, name, context);
    if elapsed < queued {
        return job;
    }
    let started = start + queued;
    if elapsed < queued + processing_for {
        let ratio = (elapsed - queued) as f64 / processing_for as f64;
        let remaining = (queued + processing_for - elapsed) as f64 / 1_000.0;
        // Real ETAs swing while a job runs; a slow wave of ±25 % imitates that.
        let swing = 1.0 + 0.25 * ((elapsed as f64) / 4_000.0).sin();
        return processing(
            job,
            started,
            (ratio * 10_000.0).round() / 10_000.0,
            (remaining * swing * 10.0).round() / 10.0,
        );
    }
    with_preview_clips(finished(job, started, started + processing_for, context), context)
}

/// A job in the queue, with the demo's input video and models; the other states build on it.
fn base(id: i64, name: &str, context: &Context) -> Job {
    let created = context.anchor_millis - 3 * 60 * 60_000;
    Job {
        id,
        started: None,
        preview: false,
        description: String::new(),
        cost_usd: Credits("18.7500".into()),
        status: JobStatus::InQueue,
        eta_s: None,
        finished: None,
        processing_progress: Some(0.0),
        input_video: Video {
            id: id + 10_000,
            name: name.to_owned(),
            width: Some(960),
            height: Some(540),
            created_at: format_rfc3339_millis(created),
            n_frames: Some(4_500),
            framerate: Some(25.0),
            size: Some(734_003_200),
            file: Some(format!("{}/media/before.webm", context.origin)),
            owner: Some("anna.novak@novak-film.example".into()),
            thumbnail: Some(format!("{}/media/input-thumbnail.jpg", context.origin)),
            external_url: None,
            bitrate: Some(1_304_894),
            codec_id: Some("mpeg2video".into()),
            bit_depth: Some(8),
            chroma_subsampling: Some("yuv420p".into()),
            color_space: Some("bt601".into()),
        },
        output_video: None,
        ml_models: demo_models(),
        grain: Some(0.15),
        codec: Codec::Hevc,
        output_resolution: Some(OutputResolution::P1080),
        comparison: false,
        stabilization_smoothing: Some(12),
        fps_interpolation_factor: Some(2.0),
        playback_speed: Some(1.0),
        sharpen_strength: Some(0.3),
        start_frame: None,
        end_frame: None,
    }
}

fn processing(mut job: Job, started: i64, progress: f64, eta_seconds: f64) -> Job {
    job.status = JobStatus::Processing;
    job.started = format_rfc3339_millis(started);
    job.processing_progress = Some(progress);
    job.eta_s = Some(eta_seconds);
    job
}

fn finished(mut job: Job, started: i64, finished: i64, context: &Context) -> Job {
    let framerate = job.input_video.framerate.unwrap_or(25.0) * 2.0;
    let n_frames = job.input_video.n_frames.unwrap_or(0) * 2;
    let seconds = n_frames as f64 / framerate;
    let bitrate = 12_000_000;
    job.status = JobStatus::Finished;
    job.started = format_rfc3339_millis(started);
    job.finished = format_rfc3339_millis(finished);
    job.processing_progress = Some(1.0);
    job.eta_s = Some(0.0);
    job.output_video = Some(RestoredVideo {
        id: job.id + 20_000,
        job_id: Some(job.id),
        name: enhanced_name(&job.input_video.name),
        created_at: format_rfc3339_millis(finished),
        framerate: Some(framerate),
        n_frames: Some(n_frames),
        bitrate: Some(bitrate),
        codec_id: Some("hevc".into()),
        bit_depth: Some(10),
        chroma_subsampling: Some("yuv420p10le".into()),
        color_space: Some("bt709".into()),
        size: Some((bitrate as f64 * seconds / 8.0) as i64),
        file: Some(format!("{}/media/output-{}.webm", context.origin, job.id)),
        thumbnail: Some(format!("{}/media/output-thumbnail.jpg", context.origin)),
        deleted: None,
        width: Some(1920),
        height: Some(1080),
        owner: Some(48_213),
        preview_videos: None,
        quality_score: Some(4.4),
    });
    job
}

fn with_preview_clips(mut job: Job, context: &Context) -> Job {
    if let Some(output) = job.output_video.as_mut() {
        output.preview_videos = Some(PreviewVideos {
            before_video: Some(format!("{}/media/before.webm", context.origin)),
            after_video: Some(format!("{}/media/after.webm", context.origin)),
        });
    }
    job
}

fn enhanced_name(input: &str) -> String {
    let stem = input.rsplit_once('.').map_or(input, |(stem, _)| stem);
    format!("{stem}_enhanced.mp4")
}

fn at_schema_bounds(id: i64, started: i64, finished_at: i64, context: &Context) -> Job {
    let name = format!("{}.mp4", "very-long-file-name-from-an-archive-".repeat(13));
    let mut job = finished(base(id, &name, context), started, finished_at, context);
    job.cost_usd = Credits("999999.9999".into());
    job.output_resolution = Some(OutputResolution::K4);
    job.input_video.size = Some(400_000_000_000);
    job.input_video.bitrate = Some(i64::MAX);
    if let Some(output) = job.output_video.as_mut() {
        output.name = "x".repeat(496) + ".mp4";
        output.width = Some(8192);
        output.height = Some(8192);
        output.framerate = Some(1000.0);
        output.n_frames = Some(2_147_483_647);
        output.bitrate = Some(i64::MAX);
        output.bit_depth = Some(30);
        output.size = Some(400_000_000_000);
    }
    job
}

fn hostile(id: i64, context: &Context) -> Job {
    let name = "<img src=x onerror=alert(1)>\"><script>alert('name')</script>.mp4";
    let mut job = finished(
        base(id, name, context),
        context.anchor_millis - 600_000,
        context.anchor_millis - 60_000,
        context,
    );
    job.description = "<b>bold</b> & <a href=\"javascript:alert(1)\">click</a>".into();
    job.input_video.thumbnail = Some("javascript:alert('thumbnail')".into());
    job.input_video.external_url = Some("vbscript:msgbox(1)".into());
    job.ml_models[0].name = "<svg onload=alert(1)>".into();
    if let Some(output) = job.output_video.as_mut() {
        output.file = Some("javascript:alert('download')".into());
        output.thumbnail = Some("data:image/svg+xml,<svg onload=alert(1)>".into());
        output.codec_id = Some("<i>hevc</i>".into());
        output.preview_videos = Some(PreviewVideos {
            before_video: Some("//evil.example/before.webm".into()),
            after_video: Some(" JavaScript:alert('after')".into()),
        });
    }
    job
}

fn demo_models() -> Vec<MlModel> {
    let model = |id, name: &str, task, upscale, fps_boost, description: &str| MlModel {
        id,
        name: name.to_owned(),
        task,
        description: Some(description.to_owned()),
        short_description: Some(description.to_owned()),
        cost_weight: Some(1.0),
        upscale_factor: Some(upscale),
        fps_boost_factor: Some(fps_boost),
        priority: Some(id),
        max_resolution: Some(1280 * 720),
    };
    vec![
        model(
            34,
            "Upscale 2x",
            Task::SuperResolution,
            2,
            1,
            "Doubles the width and height.",
        ),
        model(
            7,
            "Film Restore",
            Task::FilmDamage,
            1,
            1,
            "Removes scratches, dust and flicker.",
        ),
        model(
            12,
            "Denoise Pro",
            Task::Denoise,
            1,
            1,
            "Removes grain and compression noise.",
        ),
        model(
            51,
            "Frame Interpolation 2x",
            Task::FpsDoubler,
            1,
            2,
            "Doubles the frame rate.",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(now_millis: i64) -> Context<'static> {
        Context {
            origin: "http://sim",
            anchor_millis: 1_000_000_000_000,
            now_millis,
        }
    }

    fn job(id: i64, context: &Context, started: Option<i64>) -> Job {
        match lookup(id, context, started) {
            Lookup::Found(job) => *job,
            other => panic!("{id}: {other:?}"),
        }
    }

    #[test]
    fn the_catalog_covers_every_state() {
        let context = context(1_000_000_000_000);
        let statuses: Vec<_> = DEMO_JOB_IDS.iter().map(|id| job(*id, &context, None).status).collect();
        for status in JobStatus::KNOWN {
            assert!(statuses.contains(status), "{status:?}");
        }
        assert!(statuses.iter().any(|status| matches!(status, JobStatus::Unknown(_))));
        assert!(job(105, &context, None).output_video.unwrap().is_deleted());
        assert!(job(106, &context, None).preview);
        assert!(job(102, &context, None).output_video.unwrap().preview_videos.is_some());
        assert_eq!(lookup(FORBIDDEN_JOB_ID, &context, None), Lookup::Forbidden);
        assert_eq!(lookup(999, &context, None), Lookup::NotFound);
    }

    #[test]
    fn a_moving_job_goes_from_queue_to_finished() {
        let start = 1_000_000_000_000;
        let at = |seconds: i64| job(2001, &context(start + seconds * 1_000), Some(start));
        assert_eq!(at(0).status, JobStatus::InQueue);
        assert_eq!(at(0).started, None);
        let halfway = at(2).processing_progress.unwrap();
        assert_eq!(at(2).status, JobStatus::Processing);
        assert!(halfway < at(4).processing_progress.unwrap());
        assert!(at(4).eta_seconds().unwrap() < at(3).eta_seconds().unwrap() + 1.0);
        let done = at(7);
        assert_eq!(done.status, JobStatus::Finished);
        assert_eq!(done.started, format_rfc3339_millis(start + 2_000));
        assert!(done.output_video.is_some());
    }

    #[test]
    fn static_jobs_do_not_change_over_time() {
        for id in DEMO_JOB_IDS.iter().filter(|id| lifecycle(**id).is_none()) {
            assert_eq!(
                job(*id, &context(1_000_000_000_000), None),
                job(*id, &context(1_000_000_900_000), None),
                "{id}"
            );
        }
    }
}
