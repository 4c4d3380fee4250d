"""Three paragraphs of an ordinary news story, shared by the HTML cleaning tests."""

PARAGRAPHS = [
    "The harbour authority said on Monday that ferry fares would rise by eight per cent in April, "
    "after a year in which fuel costs climbed faster than the operators had planned for.",
    "Commuters who buy monthly passes will see a smaller increase, and the authority promised to "
    "review the fares again in the autumn once the new fuel contracts have been signed.",
    "Operators welcomed the decision but warned that further rises could follow if the price of "
    "diesel kept climbing through the summer, as several analysts expect it will.",
]
