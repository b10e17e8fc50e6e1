// Package pipedrive is the Pipedrive CRM connector: persons, organizations
// and deals through API v2 and notes through API v1 (v2 has none yet), as
// crm.Contacts, crm.Companies, crm.Deals, crm.Associations and crm.Notes;
// and Pipedrive's webhooks v2.
// https://developers.pipedrive.com/docs/api/v2
//
// # Auth
//
// Config.Auth is APIToken(token), a personal API token sent in the
// x-api-token header as the official spec's api_key scheme says (never in
// the URL; the connector masks an api_token query parameter in every log
// line and error all the same), or an OAuth app's tokens:
// connector.OAuth2 over a connector/oauth Source whose oauth2.Config has
// Endpoint OAuthEndpoint (https://oauth.pipedrive.com/oauth/token, the
// app's credentials in HTTP Basic). Access tokens last about an hour; the
// Source refreshes an expired one before the call, and once more, with a
// single replay, when Pipedrive answers 401.
// https://pipedrive.readme.io/docs/core-api-concepts-authentication
//
// Pipedrive's token answers carry api_domain, the company's own base URL
// (https://acme.pipedrive.com), where it asks apps to send their requests.
// The client's base URL is fixed when it is built, so an OAuth app passes
// APIDomain(token) as Config.BaseURL; the domain can change, and every
// refresh brings it again (oauth.Config.OnRefresh sees it), so an app
// rebuilds the client if it moved. APIDomain refuses anything but an https
// *.pipedrive.com host, so that a bearer token is never sent elsewhere.
// https://pipedrive.readme.io/docs/marketplace-oauth-authorization
//
// # Idempotency
//
// Pipedrive takes no idempotency key and keeps nothing unique, not even a
// person's email. connector.WithIdempotencyKey is mapped onto lookups:
//
//   - Contacts: by email (GET /api/v2/persons/search, exact). A create of
//     a taken email is connector.ErrConflict, or with a key the person
//     found; Upsert updates the person with the email or creates it.
//   - Companies and deals: the key is written into a custom text field
//     (Config.KeyField, created on first use) and looked up by the search
//     API before the create.
//   - Notes: the key is the note's last line ("Ref: <key>"), looked for on
//     the notes of n.About[0].
//
// The lookup is skipped under connector.WithNewKey, and made again after
// an answer that was lost (connector.ErrOutcomeUnknown or a 5xx): if the
// record is there it is the result, else the create is sent once more. A
// create is never replayed by the connector itself; a keyless one whose
// answer is lost is connector.ErrOutcomeUnknown.
//
// What remains: two processes creating under one key (or one email) at
// the same moment can both miss the other's record and make two; and
// Pipedrive's search index may lag a write by a moment, so a lookup made
// right after a lost answer can miss a record that was committed and the
// create goes again. Pipedrive offers nothing to close either race.
//
// # Rate limits
//
// Every answer carries x-ratelimit-limit, -remaining and -reset (the
// per-token burst limit in a 2-second window, and the seconds left of it).
// Answers to writes made with an API token also carry
// x-daily-requests-left (the day's budget, reset at midnight UTC); the
// client remembers the last value until the UTC day ends, as reads do not
// repeat it. The client waits for the window's reset once it is spent,
// slows down below a tenth of it, and spreads a low daily budget (under
// 200) over the rest of the day: a call whose wait would pass its
// context's deadline is connector.ErrRateLimited at once, unsent. A 429 is
// retried after the window; a 429 with the daily budget spent is not
// (nothing succeeds before midnight UTC) and is connector.ErrRateLimited
// with a message that says so and RetryAfter until then.
// https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting
//
// # Pagination
//
// v2 lists follow additional_data.next_cursor, 100 records a page. A List
// with UpdatedSince asks for updated_since, sorted by update_time
// ascending: oldest change first. v1 notes page by start and limit
// (additional_data.pagination).
//
// # Custom fields
//
// Pipedrive names custom fields by 40-character hashes. Properties take
// and give them by the names users see ("Order source"), any case, or by
// hash: the client reads /api/v2/personFields (organizationFields,
// dealFields) once and again when a name is not known. An unknown name is
// connector.ErrValidation.
//
// # Mapping
//
// Contact.Company is the person's organization, found by exact name or
// made. Company.Domain is the organization's website; FindByDomain walks
// the organizations (the search API does not cover websites). Deal.Stage
// is the stage id, or "closedwon"/"closedlost" for Pipedrive's won and lost
// statuses; Deal.Pipeline is the pipeline id ("default" leaves it to
// Pipedrive). Amounts travel as exact decimal JSON numbers. A deal links to
// one person and one organization; a person to one organization.
//
// # Webhooks
//
// Pipedrive does not sign webhooks. A webhook v2 registered with
// http_auth_user and http_auth_password delivers with those as HTTP Basic
// credentials; NewWebhookHandler checks them against webhook.Config.Secrets
// ("user:password" each, several during a rotation), hands on each event
// once by its meta id (the same on every retry), and answers 500 when
// handling fails, so that Pipedrive retries. Neither the body nor a time is
// signed: a changed body with the right credentials is accepted, and the
// credential is all that protects the URL (use HTTPS).
// https://pipedrive.readme.io/docs/guide-for-webhooks-v2
//
// # API version
//
// Paths pin the version: /api/v2 (persons, organizations, deals, their
// fields and search) and /v1 (notes), as in Pipedrive's official specs.
//
// Its sandbox is pipedrivetest; crmtest.Run holds it to the crm contract.
package pipedrive
