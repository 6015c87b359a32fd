//! Many runs at once: every scenario `repeat` times, `concurrency`
//! conversations at a time, and per expectation the spread of the time
//! from the step's send to its match (p50/p95/p99) and its failures.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::model::{Action, Scenario};
use super::runner::{Harness, Observer, RunOptions, ScenarioResult};

/// How many runs, how many at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Runs of each scenario (at least 1).
    pub repeat: usize,
    /// Runs in flight at once (at least 1).
    pub concurrency: usize,
    /// Keep each run's conversation in its result.
    pub keep_conversations: bool,
}

impl Default for Plan {
    fn default() -> Self {
        Self {
            repeat: 1,
            concurrency: 1,
            keep_conversations: false,
        }
    }
}

/// Every run's result, in the order the runs were planned.
#[derive(Debug, Clone)]
pub struct Summary {
    pub results: Vec<ScenarioResult>,
    pub elapsed: Duration,
    pub plan: Plan,
}

/// One expectation over all runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectationStats {
    pub scenario: String,
    pub path: PathBuf,
    pub step: usize,
    pub line: Option<usize>,
    pub label: String,
    /// Latencies of the runs where it matched, sorted.
    pub samples: Vec<Duration>,
    /// Runs that failed at this step.
    pub failures: usize,
}

impl ExpectationStats {
    /// Nearest-rank percentile (`p` in 0..=100) of the matched runs.
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        percentile(&self.samples, p)
    }
}

/// Nearest-rank percentile of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

impl Summary {
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }

    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    /// Per expectation step of each scenario, in file and step order.
    pub fn expectations(&self, scenarios: &[Scenario]) -> Vec<ExpectationStats> {
        let mut stats: BTreeMap<(usize, usize), ExpectationStats> = BTreeMap::new();
        for (si, scenario) in scenarios.iter().enumerate() {
            for step in &scenario.steps {
                if matches!(step.action, Action::Expect(_)) {
                    stats.insert(
                        (si, step.index),
                        ExpectationStats {
                            scenario: scenario.name.clone(),
                            path: scenario.path.clone(),
                            step: step.index,
                            line: step.line,
                            label: step.label(),
                            samples: Vec::new(),
                            failures: 0,
                        },
                    );
                }
            }
        }
        for result in &self.results {
            let Some(si) = scenarios.iter().position(|s| s.path == result.path) else {
                continue;
            };
            for step in &result.steps {
                if let Some(s) = stats.get_mut(&(si, step.index)) {
                    match (step.passed, step.latency) {
                        (true, Some(latency)) => s.samples.push(latency),
                        (false, _) => s.failures += 1,
                        _ => {}
                    }
                }
            }
        }
        let mut out: Vec<ExpectationStats> = stats.into_values().collect();
        for s in &mut out {
            s.samples.sort();
        }
        out
    }
}

/// Run every scenario `plan.repeat` times, `plan.concurrency` at once.
pub async fn run(harness: Arc<Harness>, scenarios: Arc<Vec<Scenario>>, plan: Plan, observer: Observer) -> Summary {
    let started = Instant::now();
    let repeat = plan.repeat.max(1);
    let gate = Arc::new(Semaphore::new(plan.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut order = 0usize;
    for run in 1..=repeat {
        for index in 0..scenarios.len() {
            let (harness, scenarios, gate, observer) =
                (harness.clone(), scenarios.clone(), gate.clone(), observer.clone());
            let slot = order;
            order += 1;
            tasks.spawn(async move {
                let _permit = gate.acquire_owned().await;
                let options = RunOptions {
                    run,
                    keep_conversation: plan.keep_conversations,
                };
                (slot, harness.run(&scenarios[index], options, &observer).await)
            });
        }
    }
    let mut results: Vec<Option<ScenarioResult>> = vec![None; order];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((slot, result)) = joined {
            results[slot] = Some(result);
        }
    }
    Summary {
        results: results.into_iter().flatten().collect(),
        elapsed: started.elapsed(),
        plan,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let samples: Vec<Duration> = (1..=20).map(Duration::from_millis).collect();
        assert_eq!(percentile(&samples, 50.0), Some(Duration::from_millis(10)));
        assert_eq!(percentile(&samples, 95.0), Some(Duration::from_millis(19)));
        assert_eq!(percentile(&samples, 99.0), Some(Duration::from_millis(20)));
        assert_eq!(percentile(&samples[..1], 99.0), Some(Duration::from_millis(1)));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
