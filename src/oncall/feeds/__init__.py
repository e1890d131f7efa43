"""httpx clients: the alert feed poller, the directory sync and the outbound notifier."""
