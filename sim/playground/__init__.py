"""The trainer's playground: a local web server to play a campaign live and run classroom challenges."""
