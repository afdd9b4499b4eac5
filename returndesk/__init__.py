"""returndesk: returns for online marketplaces."""
