//! The compiled model and one run's world (DESIGN.md §2.4–§2.8, §3).

pub mod bargaining;
