//! The eligibility service's wire vocabulary (`XmlMsg` / `MessageHeader` / `MessageBody` /
//! `ResultOfQualificationConfirmation`), parsed from XML (UTF-8 or Shift_JIS) or JSON and
//! normalised into [`crate::eligibility::EligibilityResult`].
