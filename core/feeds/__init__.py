"""Product feeds (issue 15): what marketplaces and ad platforms read of a channel."""
