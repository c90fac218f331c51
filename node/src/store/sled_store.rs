//! (being written) The sled implementation of the store.
