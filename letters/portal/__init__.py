"""The debtor portal: a signed personal link where the debtor sees, pays, disputes
or asks for a payment plan. Lives on the ``letters`` side because it shows the
archived documents; it imports ``claims``, never the reverse."""
