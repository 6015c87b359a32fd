//! What the demo account's console shows at 80 columns, for the pty tests
//! and the start-up bench (which includes this file by path).

/// Every kind's count on the tab row once the demo seed's six lists are in.
pub const DEMO_COUNTS: [&str; 6] = [
    "Auth 1",
    "Apps 1",
    "Participants 1",
    "Channels 1",
    "Orchestrations 1",
    "Accounts 1",
];
