//! End-to-end tests, one binary with a module per area (each test binary links the whole
//! graph, so there is only one).

mod conformance_relocation;
mod harness;
mod node_core;
mod tidy;
