"""Price monitoring (医药价格监测): observations, rules with severities, alerts and follow-up."""
