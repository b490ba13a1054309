//! The client's own request rate: a token bucket, so a script never trips the server's limit.

use std::time::Duration;

use tokio::time::Instant;

pub(crate) struct Bucket {
    /// Tokens per second (0 = unlimited).
    rate: f64,
    /// At most this many tokens saved up.
    burst: f64,
    state: tokio::sync::Mutex<(f64, Instant)>,
}

impl Bucket {
    pub(crate) fn new(per_minute: u32) -> Bucket {
        let rate = f64::from(per_minute) / 60.0;
        // A short burst is fine; a minute's worth is not (the server counts per minute).
        let burst = (f64::from(per_minute) / 10.0).max(1.0);
        Bucket {
            rate,
            burst,
            state: tokio::sync::Mutex::new((burst, Instant::now())),
        }
    }

    /// Waits until a request may be sent.
    pub(crate) async fn acquire(&self) {
        if self.rate <= 0.0 {
            return;
        }
        let mut state = self.state.lock().await;
        let (tokens, last) = &mut *state;
        let now = Instant::now();
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.rate).min(self.burst);
        *last = now;
        if *tokens < 1.0 {
            let wait = Duration::from_secs_f64((1.0 - *tokens) / self.rate);
            tokio::time::sleep(wait).await;
            *tokens = 1.0;
            *last = Instant::now();
        }
        *tokens -= 1.0;
    }
}
