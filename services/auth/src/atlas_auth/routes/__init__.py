"""HTTP routes: internal (the gateway's verify calls), auth (/api/auth/*) and admin users."""
