//! Which random stream each part of a run draws from: the purposes the model passes to
//! [`crate::engine::stream::StreamId::new`] with a name. The labels are part of the output contract
//! (they are hashed into every stream's key): renaming one changes every result that uses it.

use crate::engine::stream::StreamId;

/// What a stream is for; with the name it is the stream's identity within a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A driver's one draw per run.
    Driver,
    /// A variable's initial value and monthly shocks.
    Variable,
    /// An event's monthly hazard draws.
    Event,
    /// An actor's capability, when drawn from a distribution.
    Actor,
    /// A stake's drawn position and salience (name `issue.actor`).
    Stake,
    /// An issue's monthly agreement draws (name: the issue).
    Agreement,
    /// A population's persons, thresholds and who starts at home.
    Population,
    /// A population's monthly decisions and flights.
    Decision,
    /// A correlated pair's shared latent normal (name `a ~ b`, the two drivers' names in byte order;
    /// `model::copula`).
    Correlation,
}

impl Purpose {
    /// The purpose's label as hashed into the stream key.
    pub fn label(self) -> &'static str {
        match self {
            Purpose::Driver => "driver",
            Purpose::Variable => "variable",
            Purpose::Event => "event",
            Purpose::Actor => "actor",
            Purpose::Stake => "stake",
            Purpose::Agreement => "agreement",
            Purpose::Population => "population",
            Purpose::Decision => "decision",
            Purpose::Correlation => "correlation",
        }
    }

    /// The stream for this purpose and `name`.
    pub fn stream(self, name: &str) -> StreamId {
        StreamId::new(self.label(), name)
    }
}
