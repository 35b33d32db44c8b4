package io.campaignpulse.demo;

/** What the generated customers write: subject and body of tickets and reviews, by mood. */
final class FeedbackTexts {

    static final String[][] ANGRY = {
        {
            "Why am I getting this?",
            "I already have the Platinum card. Stop sending me offers for it, this is ridiculous."
        },
        {"Unsubscribe did not work", "I unsubscribed months ago and I still get your emails. Thanks for nothing."},
        {"Loan offer", "I have been a customer for 10 years and you send me a welcome offer? Very disappointing."},
        {"Still waiting", "Still waiting for my refund after three weeks. No one ever called back."},
    };
    static final String[][] CASHBACK_ANGRY = {
        {
            "Double cashback?",
            "Your email promised double cashback on everything. It only applies to fuel on Sundays. This is misleading."
        },
        {
            "Cashback not paid",
            "I signed up for the cashback offer and got nothing. Very disappointed, I want my money back."
        },
        {"Misleading offer", "The offer was not what the email promised. Cancel my card."},
        {"Where is my cashback?", "Still waiting after two weeks, and no one ever called back."},
        {"Hidden fee", "The card has a fee that the advert never mentioned. Absolutely ridiculous."},
    };
    static final String[][] CASHBACK_REVIEWS = {
        {"Misleading", "The cashback is a joke, the terms are hidden in the small print."},
        {"Not worth it", "Cashback never arrived and support was useless."},
    };
    static final String[][] HAPPY = {
        {"Thank you", "Got my home insurance in minutes, really easy. Thanks!"},
        {"Great cover", "The agent explained the policy clearly. Great service."},
        {"Shed cover", "Can I add my garden shed to the policy? Love the app so far."},
    };
    static final String[][] HAPPY_REVIEWS = {
        {"Easy and good value", "Easy to set up and great value."},
        {"Does what it says", "Quick claim, friendly staff, would recommend."},
    };
    static final String[][] QUESTIONS = {
        {"Address change", "I am moving house next month, how do I update my address?"},
        {"Statement", "Please send me a copy of my last statement."},
    };

    private FeedbackTexts() {}
}
