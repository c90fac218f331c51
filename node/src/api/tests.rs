//! API infrastructure tests (being written).
