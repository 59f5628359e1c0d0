"""treatybot: quoted, cited answers about the UN Convention against Cybercrime."""
