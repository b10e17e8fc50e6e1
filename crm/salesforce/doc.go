// Package salesforce is the Salesforce CRM connector, over the REST API
// pinned to APIVersion (/services/data/v62.0/...): contacts (Contact),
// companies (Account), deals (Opportunity) and notes (completed Tasks) as
// crm.Contacts, crm.Companies, crm.Deals and crm.Notes, the lookups
// between them as crm.Associations, and a whole sale in one Composite API
// call as crm.SaleRecorder (Client and Client.Sales implement it).
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest.htm
//
// # Auth
//
// A connected app's OAuth2 web-server flow and refresh token, through a
// connector/oauth Source over Endpoint(DefaultLoginURL) (or
// https://test.salesforce.com, or the org's My Domain). The token answer's
// instance_url is the org's API host, different for every org:
// InstanceURL reads it, and it is Config.BaseURL (keep it with the
// account's token; nothing else says where the org lives). Use
// salesforce.OAuth2(src, app), which is connector.OAuth2 that also
// redacts the app's client secret. Salesforce sends no expires_in: a
// session lasts as the org's session settings say, and an expired one is
// 401 INVALID_SESSION_ID, which the core answers with one forced refresh
// and one replay; a second 401 is connector.ErrReauthRequired. Refresh
// tokens do not rotate.
// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
//
// # Idempotency: the External ID field
//
// Salesforce takes no idempotency key. Exactly-once writes rest on an
// External ID field, Config.ExternalIDField (default Patchbay_Key__c),
// which an admin creates once on Contact, Account, Opportunity, Task
// (an Activity custom field) and OpportunityContactRole: Setup → Object
// Manager → the object → Fields & Relationships → New → Text(255), with
// "External ID" and "Unique" ticked (or the same through the Metadata
// API's CustomField, or the Tooling API). An upsert by it,
// PATCH /sobjects/{Object}/{Field}/{value}, is atomic at Salesforce: 201
// created or 200 updated, and the package marks it replayable, so an
// answer lost after Salesforce committed is sent again and finds the
// record. In an org without the field, Salesforce answers 404 NOT_FOUND
// or 400 INVALID_FIELD; the package turns that into a
// connector.ErrValidation that names the field to create. If the field is
// not Unique and two records hold one value, the upsert answers 300
// Multiple Choices and changes nothing: connector.ErrConflict, saying so.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
//
// What the field holds:
//
//   - Contact: its email, lowercased. Standard Contact.Email is not unique
//     and cannot be an upsert key, so Contacts.Upsert is one upsert by the
//     lowercased email, and a keyed Contacts.Create posts it with the field
//     set: a second one is DUPLICATE_VALUE, which gives the existing
//     contact under the key (and connector.ErrConflict without). The
//     unique field closes the race between two writers of the package; a
//     contact created elsewhere (the UI, an import) has no key and is not
//     matched until the field is filled (a record-triggered flow setting it
//     to LOWER(Email) keeps it so). FindByEmail queries Email itself, any
//     contact.
//   - Opportunity and Task: the caller's idempotency key (Deals.Create and
//     Upsert, Notes.Add, RecordSale).
//   - Account: the key for a keyed Companies.Create; "domain:<domain>" for
//     an Upsert that found no account with the Website (so that two
//     racing upserts make one); "name:<name>" for the account a contact's
//     Company text names.
//   - OpportunityContactRole: "ocr:<deal id>:<contact id>" (Associate, after
//     a query for an existing role) or "ocr:<key>" (RecordSale).
//
// A keyless create is a POST, sent once: a lost answer is
// connector.ErrOutcomeUnknown. The upsert of a contact role sends its
// OpportunityId, which Salesforce lets only a create set; an upsert that
// finds the role sends the same value again, which the sandbox accepts
// (to be confirmed on a real org).
//
// # One round trip per sale
//
// RecordSale is one POST /composite with allOrNone: the contact's account
// (when Contact.Company is set), the contact, the opportunity (by the
// call's key, which is required), its contact role and the note, each an
// upsert, the later ones using the earlier ids by @{ref.id}; then the
// contact and the opportunity are read back in the same call. Salesforce
// counts it as one API call; all of it happens or none. A new contact
// without LastName (Salesforce requires one) costs a second call, with
// the email's local part as LastName.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
//
// # Money and stages
//
// Amount is read from the JSON number's digits, never a float64. In a
// multi-currency org (Config.Currency empty) CurrencyIsoCode is sent and
// read with it. In a single-currency org, set Config.Currency to the
// corporate currency: amounts are read in it, and an amount in another
// currency is refused before sending, since Salesforce would store the
// number as the org currency, a different amount. Stages go through
// Config.Stages ("closedwon" → "Closed Won"); Deal.Pipeline is not used
// (sales processes hang on record types). A deal created without a close
// date (Salesforce requires one) closes today.
//
// # Lists, changes and deletes
//
// Lists are SOQL through GET /query, 200 records a page
// (Sforce-Query-Options), following nextRecordsUrl as the loop goes.
// UpdatedSince filters and sorts on SystemModstamp, to the second, oldest
// change first. Deletes do not show there: Contacts.Deleted (and
// Companies.Deleted, Deals.Deleted) is getDeleted,
// GET /sobjects/{Object}/deleted/?start=&end= (the last 15 days).
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
//
// # Errors
//
// Salesforce answers an array of {message, errorCode, fields}; errorCode
// picks the sentinel (see errors.go): DUPLICATE_VALUE is a conflict,
// REQUIRED_FIELD_MISSING, FIELD_CUSTOM_VALIDATION_EXCEPTION, INVALID_FIELD
// and MALFORMED_QUERY validation, REQUEST_LIMIT_EXCEEDED (a 403) rate
// limited, INVALID_SESSION_ID unauthorized, NOT_FOUND and
// ENTITY_IS_DELETED not found, and a lookup to a missing or malformed id
// (INVALID_CROSS_REFERENCE_KEY, MALFORMED_ID) not found. UNABLE_TO_LOCK_ROW
// is a conflict that is retried, as the concurrent-requests limit is. An
// id that cannot be a record id is not found without a call.
//
// # Rate limits
//
// Every answer carries Sforce-Limit-Info: api-usage=n/m, the org's calls
// in a rolling 24 hours. Below a twentieth of the budget left, the
// client spreads what remains over the window; a call whose wait passes
// its deadline is connector.ErrRateLimited at once, unsent, so a flow
// slows down and stops before the org (and its other integrations) is
// locked out. The spent quota (403 REQUEST_LIMIT_EXCEEDED TotalRequests)
// is not retried.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
//
// # Webhooks: Outbound Messages
//
// Salesforce does not sign webhooks. What it delivers over HTTP is the
// Outbound Message of a Workflow rule or Flow: a SOAP 1.1 POST of a
// notifications element (OrganizationId, ActionId, an optional SessionId,
// EnterpriseUrl, PartnerUrl, and up to 100 Notifications, each an Id and
// an sObject with the fields chosen). webhook.go serves them:
// NewWebhookHandler answers the SOAP notificationsResponse with
// <Ack>true</Ack> once every notification is handled (or was already),
// and a SOAP fault with 500 otherwise, so that Salesforce redelivers (for
// up to 24 hours, with backoff). Each Notification is one Event, de-
// duplicated by its notification Id, which redeliveries keep.
//
// webhook.Config.Secrets holds the ids of the orgs the listener serves,
// and VerifyWebhook accepts a message whose OrganizationId is one of
// them (compared on the 15-character, case-sensitive id). An org id is
// an identifier, not a secret: this check alone does not authenticate a
// sender. Salesforce's guidance is to also check the client certificate
// it presents (mutual TLS with the org's certificate) and/or to accept
// Salesforce's IP ranges only, in the TLS server or proxy in front of the
// handler; and, with "Send Session ID" on, to verify the SessionId by an
// API call, which is left to the handle function with a Client of the
// org: never call the EnterpriseUrl or PartnerUrl a message names, since
// a forger chooses them.
// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm
// https://developer.salesforce.com/docs/platform/api/guide/sforce-api-om-outboundmessaging-wsdl.html
//
// The change feed for everything else is the updated-since list above.
// Change Data Capture and Platform Events (CometD, the Pub/Sub API over
// gRPC) are out of scope.
//
// Its sandbox is salesforcetest; crmtest.Run holds it to the crm contract.
package salesforce
