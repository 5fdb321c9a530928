//! The claim engine (療養費支給申請書): domain model, tariffs as data, fee rules, checks,
//! and the forms as data. Pure: "today" and all inputs are arguments.
