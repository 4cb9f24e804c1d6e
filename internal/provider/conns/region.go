package conns

// WithRegion returns a client of another region: the same credentials,
// endpoint, retries and settings, so a resource's own `region` argument
// (as in the AWS provider v6) works in the provider's account. Its calls
// count in this client's counter, and it shares this client's caller
// identity (account and partition), read once.
func (c *Client) WithRegion(region string) *Client {
	if region == "" || region == c.Region() {
		return c
	}
	cfg := c.Config.Copy()
	cfg.Region = region
	s := c.Settings
	s.Region = region
	return &Client{Settings: s, Config: cfg, Calls: c.Calls, identity: c.sharedIdentity()}
}
