//! What the supervisor prints.

/// Prints one line of the supervisor (`atoll dev: …`) on stdout.
pub(crate) fn say(message: &str) {
    println!("atoll dev: {message}");
}
