// Package oauth keeps OAuth2 credentials alive for long-running
// integrations, on top of golang.org/x/oauth2, and closes the gaps that bite
// vendors which rotate refresh tokens (Xero, QuickBooks) and every app that
// runs more than one process:
//
//   - every refreshed token is saved to a TokenStore before its access
//     token is used, so a rotated refresh token is never lost (x/oauth2 has
//     no refresh hook, golang/oauth2#84);
//   - saves are compare-and-swap on the version that was loaded, and stores
//     that can lock (FileStore, MemoryStore) hold the lock across
//     load, refresh and save, so two processes never burn one refresh token;
//   - one refresh at a time per credential, however many goroutines need a
//     token (single flight), and nobody holds a mutex during the network
//     call (golang/oauth2#793);
//   - the refresh runs on its own bounded context, not the caller's and not
//     one captured at construction (golang/oauth2#388, #262); callers wait
//     with their own context;
//   - the client authentication style is set explicitly, never probed, so
//     a single-use refresh token is never sent twice (golang/oauth2#373);
//   - a token the API rejects with 401 is refreshed once and the request
//     replayed once (connector.Reauthorizer); a refusal from the token
//     endpoint is ErrReauthRequired, with no secret in it.
//
// Use a Source as a connector client's auth:
//
//	src, err := oauth.NewSource(oauth.Config{OAuth2: cfg, Store: store})
//	client, err := connector.New(connector.Vendor{Name: "xero", BaseURL: apiURL, Auth: connector.OAuth2(src)})
package oauth
